import { join } from 'node:path';
import { MASKED_PASSWORD, redactUrl } from '../common/url-redaction.js';
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
      throw new Error(`database_url must be a postgres:// or postgresql:// URL (got '${displayUrl(url)}'); leave it unset for the embedded SQLite store`);
    }
    return { kind: 'postgres', url, display: displayUrl(url) };
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

/**
 * Credentials never reach logs or error messages. The common helper masks `scheme://user:pass@`
 * as written; text it cannot vouch for is not shown: an `@` a URL parser does not take for
 * credentials (`user:pass@host` without a scheme), credentials in another shape
 * (`http:\\u:pw@host`), or text that does not parse at all.
 */
function displayUrl(url: string): string {
  if (!URL.canParse(url)) return '<unparseable url>';
  const shown = redactUrl(url);
  const parsed = new URL(shown);
  const masked = parsed.password === '' || parsed.password === MASKED_PASSWORD;
  return masked && (parsed.username !== '' || !shown.includes('@')) ? shown : '<url not shown: it may carry credentials>';
}
