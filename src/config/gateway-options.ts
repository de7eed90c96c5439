import type { LoadedConfig } from './config-loader.js';

/** Start-up options, decided in main.ts before Nest starts (so config errors never reach Nest). */
export interface GatewayOptions {
  /** The YAML file the config came from, re-read by /config/reload. */
  readonly configPath?: string;
  readonly loaded: LoadedConfig;
}

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');
