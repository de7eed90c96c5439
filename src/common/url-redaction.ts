/** What a masked password reads as in admin output and logs. */
export const MASKED_PASSWORD = '***';

/**
 * `scheme://user:pass@rest`, where the userinfo runs to the last `@` before the path: the same
 * split a WHATWG URL parser makes, so what is masked here is exactly what would be sent.
 */
const USERINFO = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)@/;

/** A URL that carries a password, cut around it. The user name and password are as written (not decoded). */
export interface UrlPassword {
  /** `scheme://` */
  readonly scheme: string;
  readonly user: string;
  readonly password: string;
  /** Everything after the `@`: host, port, path, query. */
  readonly rest: string;
}

/** The parts of a URL with a non-empty password, or undefined when it has none. */
export function splitUrlPassword(url: string): UrlPassword | undefined {
  const match = USERINFO.exec(url);
  if (!match) return undefined;
  const userinfo = match[2];
  const colon = userinfo.indexOf(':');
  if (colon === -1 || colon === userinfo.length - 1) return undefined;
  return { scheme: match[1], user: userinfo.slice(0, colon), password: userinfo.slice(colon + 1), rest: url.slice(match[0].length) };
}

export function joinUrlPassword(parts: UrlPassword): string {
  return `${parts.scheme}${parts.user}:${parts.password}@${parts.rest}`;
}

/**
 * `http://user:secret@host/v1` → `http://user:***@host/v1`. The rest of the text is kept as
 * written (no URL normalisation), so an api_base without credentials is shown exactly as
 * configured. The user name stays: it says which account is used without being the secret.
 */
export function redactUrl(url: string): string {
  const parts = splitUrlPassword(url);
  return parts ? joinUrlPassword({ ...parts, password: MASKED_PASSWORD }) : url;
}

/**
 * The credentials a URL carries, in every form they may travel or be echoed in: as written,
 * percent-decoded, and as the `Basic` token built from them. Empty when there are none.
 */
export function urlCredentials(url: string | undefined): string[] {
  const parts = url ? splitUrlPassword(url) : undefined;
  if (!parts) return [];
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const user = decode(parts.user);
  const password = decode(parts.password);
  return [...new Set([parts.password, password, Buffer.from(`${user}:${password}`).toString('base64')])];
}
