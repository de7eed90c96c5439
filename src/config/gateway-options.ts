import type { LoadedConfig } from './config-loader.js';
import type { ServerOptions } from './server-options.js';

/** Start-up options, decided in main.ts before Nest starts (so config errors never reach Nest). */
export interface GatewayOptions {
  /** The YAML file the config came from, re-read by /config/reload. */
  readonly configPath?: string;
  readonly loaded: LoadedConfig;
  /**
   * Where the store lives. `databaseUrl` (postgres://…) wins, then general_settings.database_url,
   * then SQLite at `<dataDir>/switchboard.db`. Absent entirely (tests, embedding): in-memory SQLite.
   */
  readonly store?: StoreLocation;
  /** HTTP server behaviour (base path, proxies, limits, timeouts, logging); defaults when absent. */
  readonly server?: ServerOptions;
}

export interface StoreLocation {
  readonly databaseUrl?: string;
  readonly dataDir?: string;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
