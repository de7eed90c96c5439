import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/bootstrap.js';
import { parseConfigText } from '../../src/config/config-loader.js';
import type { StoreLocation } from '../../src/config/gateway-options.js';
import type { ServerOptions } from '../../src/config/server-options.js';

export interface OpsGateway {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> (without the base path). */
  origin: string;
  /** origin + base path. */
  url: string;
  /** url + '/v1', for the OpenAI SDK. */
  baseURL: string;
  /** Every JSON log line written so far, parsed. */
  logs: Record<string, any>[];
  /** The raw log text, for "this string never appears" checks. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * The real application on a loopback port, with server options and its JSON log captured in
 * memory (pino writes to any object with write()).
 */
export async function startOpsGateway(
  yaml: string,
  server: ServerOptions = {},
  extra: { env?: NodeJS.ProcessEnv; store?: StoreLocation } = {},
): Promise<OpsGateway> {
  const logs: Record<string, any>[] = [];
  let raw = '';
  const destination = {
    write(chunk: string) {
      raw += chunk;
      for (const line of chunk.split('\n')) if (line.trim()) logs.push(JSON.parse(line));
    },
  };
  const loaded = parseConfigText(yaml, extra.env ?? {});
  const app = await createApp({ loaded, store: extra.store, server: { logDestination: destination, ...server } });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}${server.basePath ?? ''}`;
  return { app, origin, url, baseURL: `${url}/v1`, logs, logText: () => raw, close: () => app.close() };
}

/** Reads one sample from Prometheus text: `name{a="1",b="2"} value`; 0 when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}
