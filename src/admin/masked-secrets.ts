import { GatewayError } from '../common/gateway-error.js';
import { isSecretHeader } from '../common/secret-redaction.js';
import { joinUrlPassword, MASKED_PASSWORD, splitUrlPassword } from '../common/url-redaction.js';
import { looksMasked, maskSecret } from '../store/secret-box.js';
import { isSecretParam, maskSecretParam, SECRET_PARAM_KEYS } from '../store/model-secrets.js';
import type { StoredModel } from '../store/models.repository.js';

/**
 * Admin answers show credentials masked, and a common way to edit a model is to read it, change
 * one field and send the whole object back. Stored as sent, the masks would replace working
 * credentials, so a credential sent back exactly as the gateway shows the stored one means
 * "unchanged" and the stored value takes its place. Any other mask-shaped value is refused: it
 * cannot be a real credential, and no stored one can be told from it.
 *
 * A masked api_base password is also kept when the rest of the URL changed (a new host or path),
 * provided the user name is the one stored: the password goes where the api_key would go anyway
 * (an api_key omitted from an update follows a changed api_base), but never to another account.
 *
 * `stored` is what an update merges into; without it (a new model) every mask is refused.
 * `os.environ/NAME` references are shown as written, so they never look masked and pass as sent.
 */
export function restoreMaskedSecrets(params: Readonly<Record<string, unknown>>, stored?: StoredModel): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  const current = stored?.litellmParams ?? {};

  if (typeof params.api_key === 'string' && looksMasked(params.api_key)) {
    if (stored?.apiKeyError) throw undecryptable('api_key');
    const kept = current.api_key;
    if (typeof kept !== 'string' || maskSecret(kept) !== params.api_key) throw masked('api_key');
    out.api_key = kept;
  }

  if (typeof params.api_base === 'string') {
    const sent = splitUrlPassword(params.api_base);
    if (sent?.password === MASKED_PASSWORD) {
      if (stored?.secretsError) throw undecryptable('api_base');
      const kept = typeof current.api_base === 'string' ? splitUrlPassword(current.api_base) : undefined;
      if (!kept) throw masked('api_base');
      if (kept.user !== sent.user) {
        throw GatewayError.invalid(
          "Invalid 'litellm_params.api_base': its password looks like a masked value (***), and a masked password keeps the stored one " +
            'only for the same user name; send the real password or omit the field.',
          'litellm_params.api_base',
        );
      }
      out.api_base = joinUrlPassword({ ...sent, password: kept.password });
    }
  }

  for (const key of SECRET_PARAM_KEYS) {
    const sent = params[key];
    if (typeof sent !== 'string' || !looksMasked(sent)) continue;
    if (stored?.secretsError) throw undecryptable(key);
    const kept = current[key];
    if (!isSecretParam(key, kept) || maskSecretParam(kept) !== sent) throw masked(key);
    out[key] = kept;
  }

  const headers = params.extra_headers;
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    const restored: Record<string, unknown> = { ...headers };
    for (const [name, value] of Object.entries(headers)) {
      if (!isSecretHeader(name) || typeof value !== 'string' || !looksMasked(value)) continue;
      const field = `extra_headers.${name}`;
      if (stored?.secretsError) throw undecryptable(field);
      const kept = storedHeader(current.extra_headers, name);
      if (typeof kept !== 'string' || maskSecret(kept) !== value) throw masked(field);
      restored[name] = kept;
    }
    out.extra_headers = restored;
  }
  return out;
}

/** HTTP header names are case-insensitive: a client may send back `authorization` for a stored `Authorization`. */
function storedHeader(headers: unknown, name: string): unknown {
  if (headers === null || typeof headers !== 'object') return undefined;
  const map = headers as Record<string, unknown>;
  if (Object.hasOwn(map, name)) return map[name];
  const same = Object.keys(map).filter((k) => k.toLowerCase() === name.toLowerCase());
  return same.length === 1 ? map[same[0]] : undefined;
}

function masked(field: string): GatewayError {
  return GatewayError.invalid(
    `Invalid 'litellm_params.${field}': looks like a masked value; send the real secret or omit the field.`,
    `litellm_params.${field}`,
  );
}

function undecryptable(field: string): GatewayError {
  return GatewayError.invalid(
    `Invalid 'litellm_params.${field}': looks like a masked value, and the stored credential cannot be decrypted, so there is ` +
      'nothing to keep; send the real secret (null removes it).',
    `litellm_params.${field}`,
  );
}
