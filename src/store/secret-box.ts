import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { isEnvRef } from '../config/env-ref.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets stored at rest (provider api_keys). The key is derived with HKDF from
 * an operator secret (SWITCHBOARD_SALT_KEY, else the master key), so the database alone never
 * reveals a key. `context` is bound as associated data: a sealed value copied onto another row
 * (another model id) fails to open instead of silently serving the wrong credentials.
 *
 * Sealed format: `v1:<iv b64>:<tag b64>:<ciphertext b64>`.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (!secret) throw new Error('SecretBox needs a non-empty secret');
    this.key = Buffer.from(hkdfSync('sha256', secret, 'switchboard-store', 'secret-box-v1', 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /** Throws when the value was sealed with another secret, for another context, or was tampered with. */
  open(sealed: string, context: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('not a sealed value');
    const [, iv, tag, body] = parts.map((p, i) => (i === 0 ? Buffer.alloc(0) : Buffer.from(p, 'base64')));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}

/** What admin answers show for an api_key that cannot be decrypted. */
export const UNDECRYPTABLE_MASK = '<undecryptable>';
const SHORT_MASK = '****';
/** maskSecret's form for long values: an optional short prefix ending in a dash, an ellipsis, four characters. */
const LONG_MASK = /^(?:[^-]{1,4}-)?\.\.\.[\s\S]{4}$/;

/**
 * Whether a value has a shape maskSecret (or UNDECRYPTABLE_MASK) gives: an echo of an admin
 * answer rather than a credential. No real key is four stars or ends after an ellipsis.
 */
export function looksMasked(value: string): boolean {
  return value === SHORT_MASK || value === UNDECRYPTABLE_MASK || LONG_MASK.test(value);
}

/** `sk-...abcd` for long keys, `****` for anything short enough that a suffix would say too much. */
export function maskSecret(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (isEnvRef(value)) return value; // a reference, not a secret
  if (value.length < 16) return SHORT_MASK;
  const dash = value.indexOf('-');
  const prefix = dash > 0 && dash <= 4 ? value.slice(0, dash + 1) : '';
  return `${prefix}...${value.slice(-4)}`;
}
