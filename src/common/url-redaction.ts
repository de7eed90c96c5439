/** What a masked password reads as in admin output and logs. */
export const MASKED_PASSWORD = '***';

/**
 * `scheme://user:pass@rest`, where the userinfo runs to the last `@` before the path: the same
 * split a WHATWG URL parser makes, so what is masked here is exactly what would be sent.
 */
const USERINFO = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)@/;

/**
 * `http://user:secret@host/v1` → `http://user:***@host/v1`. The rest of the text is kept as
 * written (no URL normalisation), so an api_base without credentials is shown exactly as
 * configured. The user name stays: it says which account is used without being the secret.
 */
export function redactUrl(url: string): string {
  const match = USERINFO.exec(url);
  if (!match) return url;
  const userinfo = match[2];
  const colon = userinfo.indexOf(':');
  if (colon === -1 || colon === userinfo.length - 1) return url;
  return `${match[1]}${userinfo.slice(0, colon)}:${MASKED_PASSWORD}@${url.slice(match[0].length)}`;
}

/**
 * The credentials a URL carries, in every form they may travel or be echoed in: as written,
 * percent-decoded, and as the `Basic` token built from them. Empty when there are none.
 */
export function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  const match = USERINFO.exec(url);
  if (!match) return [];
  const userinfo = match[2];
  const colon = userinfo.indexOf(':');
  if (colon === -1) return [];
  const rawPassword = userinfo.slice(colon + 1);
  if (!rawPassword) return [];
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = decode(userinfo.slice(0, colon));
  const password = decode(rawPassword);
  return [...new Set([rawPassword, password, Buffer.from(`${user}:${password}`).toString('base64')])];
}
