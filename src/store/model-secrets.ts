import { isSecretHeader } from '../common/secret-redaction.js';
import { redactUrl } from '../common/url-redaction.js';
import { isEnvRef } from '../config/env-ref.js';

/** The credentials litellm_params carries besides api_key (which has a column of its own). */
export interface SealedParams {
  api_base?: string;
  extra_headers?: Record<string, string>;
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
  return out;
}

/** Where the sealed values live in litellm_params (for messages: names, never values). */
export function sealedPaths(sealed: SealedParams | undefined): string[] {
  if (!sealed) return [];
  const paths = sealed.api_base !== undefined ? ['litellm_params.api_base'] : [];
  for (const name of Object.keys(sealed.extra_headers ?? {})) paths.push(`litellm_params.extra_headers.${name}`);
  return paths;
}
