export const REDACTED = '[redacted]';

/** Shorter values are too likely to occur in ordinary text to be treated as secrets. */
const MIN_SECRET_LENGTH = 8;
/** A word sharing this many leading or trailing characters with a secret is taken for a masked echo of it. */
const MIN_FRAGMENT = 4;
const WORD = /[^\s"'`,;()<>[\]{}]+/g;

/**
 * Removes secrets from text that came from an upstream provider before it reaches a client or
 * a log. Providers echo the key they were given, often masked ("Incorrect API key provided:
 * sk-abc***************xyz"), so besides exact occurrences, any key-shaped word that begins or
 * ends like a secret is replaced too.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const usable = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))];
  if (usable.length === 0 || text.length === 0) return text;
  let out = text;
  for (const secret of usable.sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
  return out.replace(WORD, (word) => {
    const token = word.replace(/[.:!?]+$/, '');
    return usable.some((s) => looksLikeEcho(token, s)) ? REDACTED + word.slice(token.length) : word;
  });
}

function looksLikeEcho(token: string, secret: string): boolean {
  if (token.length < MIN_SECRET_LENGTH || token === REDACTED) return false;
  const head = commonPrefix(token, secret);
  const tail = commonPrefix([...token].reverse().join(''), [...secret].reverse().join(''));
  if (head >= MIN_FRAGMENT || tail >= MIN_FRAGMENT) {
    // Masked forms keep a few real characters and hide the rest behind * or an ellipsis; an
    // unmasked word must share a longer run with the key to count.
    const masked = /[*•…]|\.\.\./.test(token);
    return masked || head >= MIN_SECRET_LENGTH || tail >= MIN_SECRET_LENGTH;
  }
  return false;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Header names whose values are credentials. One rule for everything that handles
 * extra_headers: masked in admin answers, encrypted at rest, cut out of upstream error echoes.
 */
const SECRET_HEADER_NAME = /auth|key|token|secret|cookie|signature|password|credential/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER_NAME.test(name);
}
