import { join } from 'node:path';
import type { StoreLocation } from '../config/gateway-options.js';

export type ResolvedStoreLocation =
  | { kind: 'postgres'; url: string; display: string }
  | { kind: 'sqlite'; file: string; display: string };

export const SQLITE_FILE_NAME = 'switchboard.db';
export const DEFAULT_DATA_DIR = './data';

/**
 * Decides where the store lives. Precedence: an explicit database URL (DATABASE_URL), then
 * general_settings.database_url, then SQLite under the data directory. With no location at all
 * (the app embedded in tests) the store is an in-memory SQLite database.
 */
export function resolveStoreLocation(location: StoreLocation | undefined, configDatabaseUrl: string | undefined): ResolvedStoreLocation {
  const url = location?.databaseUrl || configDatabaseUrl;
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new Error(`database_url must be a postgres:// or postgresql:// URL (got '${redactUrl(url)}'); leave it unset for the embedded SQLite store`);
    }
    return { kind: 'postgres', url, display: redactUrl(url) };
  }
  if (location?.dataDir) {
    const file = join(location.dataDir, SQLITE_FILE_NAME);
    return { kind: 'sqlite', file, display: file };
  }
  return { kind: 'sqlite', file: ':memory:', display: 'in-memory SQLite' };
}

/** Store options from the CLI flag and the environment, for main.ts. */
export function storeLocationFromEnv(dataDirFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: dataDirFlag || env.DATA_DIR || DEFAULT_DATA_DIR,
  };
}

/** Credentials never reach logs or error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}
