import { parseBasePath, parseByteSize, parseCorsOrigins, parseTrustProxy, serverOptionsFrom } from './server-flags.js';
import { UsageError } from './usage-error.js';

describe('server flags', () => {
  it('defaults: no prefix, proxies untrusted, CORS off, 20 MB, 65/66 s, 30 s grace', () => {
    expect(serverOptionsFrom({}, {})).toEqual({
      basePath: '',
      trustProxy: false,
      corsOrigins: undefined,
      bodyLimitBytes: 20 * 1024 * 1024,
      keepAliveTimeoutMs: 65_000,
      headersTimeoutMs: 66_000,
      shutdownGraceMs: 30_000,
      shutdownDelayMs: 0,
      logLevel: 'info',
      upstreamMaxSockets: undefined,
      storeConnectTimeoutMs: 60_000,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { SERVER_ROOT_PATH: '/llm', TRUST_PROXY: '1', BODY_LIMIT: '1mb', SHUTDOWN_GRACE: '5', LOG_LEVEL: 'warn', UPSTREAM_MAX_SOCKETS: '4096' };
    expect(serverOptionsFrom({}, env)).toMatchObject({ basePath: '/llm', trustProxy: 1, bodyLimitBytes: 1048576, shutdownGraceMs: 5000, logLevel: 'warn', upstreamMaxSockets: 4096 });
    expect(serverOptionsFrom({ 'base-path': '/other', 'shutdown-grace': '0.5', 'upstream-max-sockets': '8' }, env)).toMatchObject({ basePath: '/other', shutdownGraceMs: 500, upstreamMaxSockets: 8 });
  });

  it.each([
    [undefined, ''],
    ['/', ''],
    ['llm', '/llm'],
    ['/llm/', '/llm'],
    ['/a/b-c', '/a/b-c'],
  ])('base path %p → %p', (input, expected) => {
    expect(parseBasePath(input)).toBe(expected);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('trust proxy %p → %p', (input, expected) => {
    expect(parseTrustProxy(input)).toEqual(expected);
  });

  it('sizes and origins', () => {
    expect(parseByteSize('--body-limit', '512kb')).toBe(524288);
    expect(parseByteSize('--body-limit', '1048576')).toBe(1048576);
    expect(parseCorsOrigins('https://a.example.com, https://b.example.com')).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(parseCorsOrigins('*')).toEqual(['*']);
  });

  it.each([
    [{ 'base-path': '/a b' }, '--base-path'],
    [{ 'body-limit': 'lots' }, '--body-limit'],
    [{ 'cors-origins': 'app.example.com' }, '--cors-origins'],
    [{ 'keep-alive-timeout': '-1' }, '--keep-alive-timeout'],
    [{ 'keep-alive-timeout': '70', 'headers-timeout': '60' }, '--headers-timeout'],
    [{ 'log-level': 'loud' }, '--log-level'],
    [{ 'trust-proxy': 'x;y' }, '--trust-proxy'],
    [{ 'upstream-max-sockets': '0' }, '--upstream-max-sockets'],
    [{ 'upstream-max-sockets': '2.5' }, '--upstream-max-sockets'],
  ])('rejects %p naming %s', (values, flag) => {
    expect(() => serverOptionsFrom(values, {})).toThrow(UsageError);
    expect(() => serverOptionsFrom(values, {})).toThrow(flag);
  });
});
