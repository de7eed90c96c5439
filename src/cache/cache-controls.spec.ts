import { GatewayError } from '../common/gateway-error.js';
import { NO_CONTROLS, parseCacheControls, withoutCacheControls } from './cache-controls.js';

describe('per-request cache controls', () => {
  it("reads LiteLLM's names", () => {
    expect(parseCacheControls(undefined)).toBe(NO_CONTROLS);
    expect(parseCacheControls({ 'no-cache': true })).toMatchObject({ noCache: true, noStore: false });
    expect(parseCacheControls({ 'no-store': true })).toMatchObject({ noCache: false, noStore: true });
    expect(parseCacheControls({ ttl: 30 })).toMatchObject({ ttlSec: 30 });
    expect(parseCacheControls({ 's-maxage': 10 })).toMatchObject({ maxAgeSec: 10 });
    expect(parseCacheControls({ 's-max-age': 12 })).toMatchObject({ maxAgeSec: 12 });
    expect(parseCacheControls({ namespace: 'team-a' })).toMatchObject({ namespace: 'team-a' });
  });

  it('refuses malformed controls with a 400 naming the field', () => {
    for (const [value, param] of [
      ['yes', 'cache'],
      [[1], 'cache'],
      [{ 'no-cache': 'true' }, 'cache.no-cache'],
      [{ ttl: -1 }, 'cache.ttl'],
      [{ ttl: '60' }, 'cache.ttl'],
      [{ namespace: '' }, 'cache.namespace'],
    ] as const) {
      let caught: unknown;
      try {
        parseCacheControls(value);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(GatewayError);
      expect((caught as GatewayError).param).toBe(param);
    }
  });

  it('strips `cache` from the upstream body without touching the original', () => {
    const body = { model: 'm', cache: { ttl: 1 }, temperature: 0 };
    expect(withoutCacheControls(body)).toEqual({ model: 'm', temperature: 0 });
    expect(body.cache).toEqual({ ttl: 1 });
    const plain = { model: 'm' };
    expect(withoutCacheControls(plain)).toBe(plain);
  });
});
