import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/bootstrap.js';
import { parseConfigText } from '../../src/config/config-loader.js';

export interface RunningGateway {
  app: NestExpressApplication;
  /** http://127.0.0.1:<port> */
  url: string;
  /** url + '/v1', for the OpenAI SDK's baseURL. */
  baseURL: string;
  close(): Promise<void>;
}

/** Starts the real application on a loopback port from a YAML config string. */
export async function startGateway(yaml: string, env: NodeJS.ProcessEnv = process.env): Promise<RunningGateway> {
  const loaded = parseConfigText(yaml, env);
  const app = await createApp({ loaded }, false);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return { app, url, baseURL: `${url}/v1`, close: () => app.close() };
}

/** POSTs raw bytes (or JSON) and returns status, headers and parsed body, for malformed-input tests. */
export async function rawPost(
  url: string,
  body: string | Buffer | object,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const res = await fetch(url, { method: 'POST', headers, body: payload });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A streamed chat request whose client reads the first chunk and then goes away. */
export async function leaveStreamAfterFirstChunk(gatewayUrl: string, body: object, headers: Record<string, string> = {}): Promise<void> {
  const controller = new AbortController();
  const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...body, stream: true }),
    signal: controller.signal,
  });
  await res.body!.getReader().read();
  controller.abort();
}
