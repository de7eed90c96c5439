import { joinUrlPassword, redactUrl, splitUrlPassword, urlCredentials } from './url-redaction.js';

describe('redactUrl', () => {
  it.each([
    ['http://user:hunter2secret@host:8080/v1', 'http://user:***@host:8080/v1'],
    ['https://u:p%40ss@proxy.example.com/api/v1?x=1', 'https://u:***@proxy.example.com/api/v1?x=1'],
    // The userinfo runs to the last @ before the path, as a URL parser splits it.
    ['http://u:pa@ss@host/v1', 'http://u:***@host/v1'],
    ['redis://:only-password@redis:6379', 'redis://:***@redis:6379'],
    ['postgres://app:pw@db:5432/app', 'postgres://app:***@db:5432/app'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each(['https://api.openai.com/v1', 'http://host/v1/path@with-at', 'http://user@host/v1', 'http://user:@host/v1', 'not a url', ''])(
    '%j is shown as written',
    (input) => {
      expect(redactUrl(input)).toBe(input);
    },
  );
});

describe('urlCredentials', () => {
  it('gives the password as written, decoded, and as the Basic token', () => {
    expect(urlCredentials('http://u:p%40ss@host/v1')).toEqual(['p%40ss', 'p@ss', Buffer.from('u:p@ss').toString('base64')]);
  });

  it('is empty without a password', () => {
    expect(urlCredentials(undefined)).toEqual([]);
    expect(urlCredentials('https://api.openai.com/v1')).toEqual([]);
    expect(urlCredentials('http://user@host/v1')).toEqual([]);
  });
});

describe('splitUrlPassword', () => {
  it('cuts a URL around its password and joins it back as written', () => {
    const url = 'https://u%40x:p%40ss@proxy.example.com:8443/v1?x=1';
    const parts = splitUrlPassword(url);
    expect(parts).toEqual({ scheme: 'https://', user: 'u%40x', password: 'p%40ss', rest: 'proxy.example.com:8443/v1?x=1' });
    expect(joinUrlPassword(parts!)).toBe(url);
  });

  it.each(['https://api.openai.com/v1', 'http://user@host/v1', 'http://user:@host/v1', 'os.environ/PROXY_URL'])('%j has no password', (url) => {
    expect(splitUrlPassword(url)).toBeUndefined();
  });
});
