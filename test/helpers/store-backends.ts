import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/bootstrap.js';
import { readConfigFile } from '../../src/config/config-loader.js';
import type { StoreLocation } from '../../src/config/gateway-options.js';
import { describeWithServices, testService, TestService, withClient } from './test-services.js';

/** A fresh, isolated store for one test file: a temp dir for SQLite, a new database for PostgreSQL. */
export interface TestStore {
  readonly location: StoreLocation;
  /** Raw rows straight from the database (to check what is really at rest). */
  rows(table: string): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** External services the backend needs (none for the embedded SQLite store). */
  readonly services: readonly TestService[];
  create(): Promise<TestStore>;
}

// Probed before any describe() runs: whether the PostgreSQL suites run, skip or fail depends on it.
const postgres = await testService('PostgreSQL');
const pgUrl = postgres.url;

export const BACKENDS: Backend[] = [
  {
    name: 'sqlite',
    services: [],
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'sb-store-'));
      const Sqlite = (await import('better-sqlite3')).default;
      return {
        location: { dataDir: dir },
        async rows(table) {
          const db = new Sqlite(join(dir, 'switchboard.db'), { readonly: true });
          try {
            return db.prepare(`select * from ${table}`).all() as Record<string, unknown>[];
          } finally {
            db.close();
          }
        },
        async dispose() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    services: [postgres],
    async create() {
      const name = `sb_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      await withClient(pgUrl!, (c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(pgUrl!);
      url.pathname = `/${name}`;
      return {
        location: { databaseUrl: url.toString() },
        rows: (table) => withClient(url.toString(), async (c) => (await c.query(`select * from ${table}`)).rows),
        async dispose() {
          await withClient(pgUrl!, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        },
      };
    },
  },
];

export function describeBackends(title: string, fn: (backend: Backend) => void): void {
  for (const backend of BACKENDS) describeWithServices(`${title} [${backend.name}]`, backend.services, () => fn(backend));
}

export interface AdminGateway {
  app: NestExpressApplication;
  url: string;
  baseURL: string;
  configPath: string;
  /** Rewrites the YAML file (for /config/reload). */
  writeConfig(yaml: string): void;
  close(): Promise<void>;
}

/**
 * Starts the real app from a YAML file on disk (so /config/reload has something to read) on a
 * given store. `logs`, when given, collects every log line the app writes.
 */
export async function startAdminGateway(
  yaml: string,
  store: StoreLocation,
  options: { logs?: string[]; configDir?: string } = {},
): Promise<AdminGateway> {
  const dir = options.configDir ?? mkdtempSync(join(tmpdir(), 'sb-config-'));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, yaml);
  const logs = options.logs;
  // Log lines go to an in-memory stream when the test wants to read them; silent otherwise.
  const server = logs ? { logLevel: 'info', logDestination: { write: (line: string) => void logs.push(line) } } : undefined;
  let app: NestExpressApplication | undefined;
  try {
    app = await createApp({ configPath, loaded: readConfigFile(configPath), store, server }, logs ? undefined : false);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;
    return {
      app,
      url,
      baseURL: `${url}/v1`,
      configPath,
      writeConfig: (text) => writeFileSync(configPath, text),
      close: async () => {
        await app!.close();
        if (!options.configDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    if (!options.configDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** fetch with the master key, JSON in/out. */
export async function admin(
  gw: { url: string },
  method: string,
  path: string,
  body?: unknown,
  key: string | null = MASTER_KEY,
): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${gw.url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

export const MASTER_KEY = 'sk-master-test-0123456789';
