import { DEFAULT_BODY_LIMIT } from '../common/json-body.middleware.js';
import { readEnv } from '../config/env-vars.js';
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_STORE_CONNECT_TIMEOUT_MS, ServerOptions } from '../config/server-options.js';
import { LEVELS } from '../logging/create-logger.js';
import { UsageError } from './usage-error.js';

/** parseArgs declarations of the server flags; each has an environment variable twin. */
export const SERVER_FLAGS = {
  'base-path': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'cors-origins': { type: 'string' },
  'body-limit': { type: 'string' },
  'keep-alive-timeout': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'shutdown-delay': { type: 'string' },
  'log-level': { type: 'string' },
  'upstream-max-sockets': { type: 'string' },
  'store-connect-timeout': { type: 'string' },
} as const;

export type ServerFlagValues = Partial<Record<keyof typeof SERVER_FLAGS, string>>;

/** Flags win over the environment; anything malformed is a UsageError naming the flag. */
export function serverOptionsFrom(values: ServerFlagValues, env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const keepAliveTimeoutMs = seconds('--keep-alive-timeout', values['keep-alive-timeout'] ?? readEnv('KEEP_ALIVE_TIMEOUT', env)) ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
  const headersTimeoutMs = seconds('--headers-timeout', values['headers-timeout'] ?? readEnv('HEADERS_TIMEOUT', env)) ?? keepAliveTimeoutMs + 1000;
  if (headersTimeoutMs <= keepAliveTimeoutMs && keepAliveTimeoutMs > 0) {
    // Node closes a keep-alive socket at keepAliveTimeout; a smaller headers timeout would race it.
    throw new UsageError('--headers-timeout must be larger than --keep-alive-timeout');
  }
  const logLevel = values['log-level'] ?? readEnv('LOG_LEVEL', env) ?? 'info';
  if (!(LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level: '${logLevel}' is not one of ${LEVELS.join(', ')}`);
  }
  return {
    basePath: parseBasePath(values['base-path'] ?? readEnv('SERVER_ROOT_PATH', env)),
    trustProxy: parseTrustProxy(values['trust-proxy'] ?? readEnv('TRUST_PROXY', env)),
    corsOrigins: parseCorsOrigins(values['cors-origins'] ?? readEnv('CORS_ORIGINS', env)),
    bodyLimitBytes: parseByteSize('--body-limit', values['body-limit'] ?? readEnv('BODY_LIMIT', env)) ?? DEFAULT_BODY_LIMIT,
    keepAliveTimeoutMs,
    headersTimeoutMs,
    shutdownGraceMs: seconds('--shutdown-grace', values['shutdown-grace'] ?? readEnv('SHUTDOWN_GRACE', env)) ?? DEFAULT_SHUTDOWN_GRACE_MS,
    shutdownDelayMs: seconds('--shutdown-delay', values['shutdown-delay'] ?? readEnv('SHUTDOWN_DELAY', env)) ?? 0,
    logLevel,
    upstreamMaxSockets: positiveInt('--upstream-max-sockets', values['upstream-max-sockets'] ?? readEnv('UPSTREAM_MAX_SOCKETS', env)),
    storeConnectTimeoutMs:
      seconds('--store-connect-timeout', values['store-connect-timeout'] ?? readEnv('STORE_CONNECT_TIMEOUT', env)) ?? DEFAULT_STORE_CONNECT_TIMEOUT_MS,
  };
}

/** '/llm', 'llm', '/llm/' → '/llm'; '' or '/' → '' (no prefix). */
export function parseBasePath(value: string | undefined): string {
  if (value === undefined) return '';
  const trimmed = value.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  const path = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path)) {
    throw new UsageError(`--base-path: '${value}' must be a path such as /llm (letters, digits, . _ ~ - and /)`);
  }
  return path;
}

/**
 * Express `trust proxy`: 'true'/'false', a hop count, or a comma list of addresses, subnets
 * and the names loopback, linklocal, uniquelocal.
 */
export function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'false' || v === 'no' || v === 'off') return false;
  if (v === 'true' || v === 'yes' || v === 'on') return true;
  if (/^\d+$/.test(v)) return Number(v);
  if (!/^[\w.:/,\s-]+$/.test(v)) throw new UsageError(`--trust-proxy: '${value}' is not true, false, a hop count or a list of addresses`);
  return value.trim();
}

export function parseCorsOrigins(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  if (origins.length === 0) return undefined;
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^\s/]+$/i.test(o)) {
      throw new UsageError(`--cors-origins: '${o}' is not an origin such as https://app.example.com (or '*')`);
    }
  }
  return origins;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** '20mb', '512kb', '1048576' → bytes (1024-based units). */
export function parseByteSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) * unit < 1) throw new UsageError(`${flag}: '${value}' is not a size such as 20mb or 1048576`);
  return Math.floor(Number(m[1]) * unit);
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) throw new UsageError(`${flag}: '${value}' is not a whole number of at least 1`);
  return Number(value);
}

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag}: '${value}' is not a number of seconds`);
  return Math.round(n * 1000);
}
