import { isSecretHeader } from '../common/secret-redaction.js';
import { redactUrl } from '../common/url-redaction.js';
import { isEnvRef } from '../config/env-ref.js';
import { maskSecret } from './secret-box.js';

/** The credentials litellm_params carries besides api_key (which has a column of its own). */
export interface SealedParams {
  api_base?: string;
  extra_headers?: Record<string, string>;
  /** Provider credentials named in SECRET_PARAM_KEYS. */
  params?: Record<string, unknown>;
}

/**
 * Provider-specific litellm_params that are credentials, besides api_key, api_base passwords and
 * extra_headers. One list, so that a provider adding a secret setting gets it masked in admin
 * answers, restored when a masked value is sent back, and sealed at rest by adding its name here.
 * The access key id is an identifier (AWS documents it as not secret), so it stays readable.
 */
export const SECRET_PARAM_KEYS: readonly string[] = ['aws_secret_access_key', 'aws_session_token', 'aws_web_identity_token', 'vertex_credentials'];

/**
 * Whether a litellm_params value is a credential to hide. `os.environ/` references are not; nor
 * is a credentials *file path* (vertex_credentials may be a path, the JSON text, or an object).
 */
export function isSecretParam(key: string, value: unknown): boolean {
  if (!SECRET_PARAM_KEYS.includes(key) || value === undefined || value === null || value === '') return false;
  if (typeof value === 'string') return !isEnvRef(value) && (key !== 'vertex_credentials' || value.trimStart().startsWith('{'));
  return typeof value === 'object';
}

/** The admin answer's form of a secret param: masked like an api_key (an object is masked as its JSON text). */
export function maskSecretParam(value: unknown): string | undefined {
  return maskSecret(typeof value === 'string' ? value : JSON.stringify(value));
}

export interface SplitParams {
  /** Safe to store as plain JSON. */
  readonly clear: Record<string, unknown>;
  /** To be sealed; undefined when there is nothing secret. */
  readonly sealed?: SealedParams;
}

/**
 * Splits litellm_params into what may be stored in clear and what must be sealed. The rule is
 * the one admin answers mask by, so whatever is hidden from a caller is also hidden from someone
 * holding a copy of the database: an api_base with a password (the clear JSON keeps its masked
 * form, so the row still names the host, and a build that cannot read the sealed part sends a
 * wrong password to the right host rather than credentials to a provider's default URL), and
 * the values of credential-like extra_headers. `os.environ/` references are not secrets.
 */
export function splitSecretParams(params: Readonly<Record<string, unknown>>): SplitParams {
  const clear: Record<string, unknown> = { ...params };
  const sealed: SealedParams = {};
  const base = params.api_base;
  if (typeof base === 'string' && !isEnvRef(base) && redactUrl(base) !== base) {
    sealed.api_base = base;
    clear.api_base = redactUrl(base);
  }
  const headers = params.extra_headers;
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    const kept: Record<string, unknown> = {};
    const secret: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (isSecretHeader(name) && typeof value === 'string' && !isEnvRef(value)) secret[name] = value;
      else kept[name] = value;
    }
    if (Object.keys(secret).length) {
      sealed.extra_headers = secret;
      if (Object.keys(kept).length) clear.extra_headers = kept;
      else delete clear.extra_headers;
    }
  }
  for (const key of SECRET_PARAM_KEYS) {
    if (!isSecretParam(key, params[key])) continue;
    (sealed.params ??= {})[key] = params[key];
    // The row keeps the masked form, so it still shows which credentials the model has.
    clear[key] = maskSecretParam(params[key]);
  }
  return Object.keys(sealed).length ? { clear, sealed } : { clear };
}

/** The inverse of splitSecretParams: the sealed values take their places again. */
export function mergeSealedParams(clear: Readonly<Record<string, unknown>>, sealed: SealedParams): Record<string, unknown> {
  const out: Record<string, unknown> = { ...clear };
  if (typeof sealed.api_base === 'string') out.api_base = sealed.api_base;
  if (sealed.extra_headers && typeof sealed.extra_headers === 'object') {
    const kept = clear.extra_headers && typeof clear.extra_headers === 'object' ? clear.extra_headers : {};
    out.extra_headers = { ...kept, ...sealed.extra_headers };
  }
  if (sealed.params && typeof sealed.params === 'object') Object.assign(out, sealed.params);
  return out;
}

/** Where the sealed values live in litellm_params (for messages: names, never values). */
export function sealedPaths(sealed: SealedParams | undefined): string[] {
  if (!sealed) return [];
  const paths = sealed.api_base !== undefined ? ['litellm_params.api_base'] : [];
  for (const name of Object.keys(sealed.extra_headers ?? {})) paths.push(`litellm_params.extra_headers.${name}`);
  for (const key of Object.keys(sealed.params ?? {})) paths.push(`litellm_params.${key}`);
  return paths;
}
