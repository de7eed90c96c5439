import type { ConfigIssue } from '../config/config-error.js';
import { parseConfigText } from '../config/config-loader.js';
import { DEFAULT_CACHE_TTL_SEC, normalizeCacheSettings } from './cache-settings.js';

function read(section: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  return { settings: normalizeCacheSettings(section, issues, warnings, env), issues, warnings };
}

describe('cache settings (litellm_settings.cache / cache_params)', () => {
  it('is off unless cache is true', () => {
    expect(read({}).settings).toBeUndefined();
    expect(read({ cache: false, cache_params: { type: 'local' } }).settings).toBeUndefined();
    expect(read({ cache_params: { type: 'local' } }).warnings[0]).toContain('litellm_settings.cache is not true');
  });

  it('defaults to a local cache for every endpoint, per key', () => {
    const { settings } = read({ cache: true });
    expect(settings).toMatchObject({ type: 'local', ttlSec: DEFAULT_CACHE_TTL_SEC, sharedAcrossKeys: false });
    expect([...settings!.endpoints].sort()).toEqual(['chat', 'embeddings', 'messages', 'responses']);
  });

  it("maps LiteLLM's supported_call_types to endpoints", () => {
    const { settings, issues } = read({ cache: true, cache_params: { supported_call_types: ['acompletion', 'aembedding', 'atranscription'] } });
    expect(issues).toEqual([]);
    expect([...settings!.endpoints].sort()).toEqual(['chat', 'embeddings']);
    expect(read({ cache: true, cache_params: { supported_call_types: ['acompletions'] } }).issues[0].path).toBe('litellm_settings.cache_params.supported_call_types[0]');
  });

  it('reads ttl, namespace, bounds and shared_across_keys', () => {
    const { settings } = read({
      cache: true,
      cache_params: { ttl: 30, namespace: 'sb', max_size_in_memory: 10, max_size_per_item: 2, max_memory_mb: 1, shared_across_keys: true },
    });
    expect(settings).toMatchObject({ ttlSec: 30, namespace: 'sb', maxEntries: 10, maxItemBytes: 2048, maxBytes: 1024 * 1024, sharedAcrossKeys: true });
  });

  it('redis: its own connection from host/port or url, else REDIS_URL, else off with a warning', () => {
    expect(read({ cache: true, cache_params: { type: 'redis', host: '127.0.0.1', port: 6390, password: 'pw' } }).settings?.redis).toEqual({
      host: '127.0.0.1',
      port: 6390,
      password: 'pw',
      url: undefined,
      db: undefined,
      username: undefined,
    });
    expect(read({ cache: true, cache_params: { type: 'redis' } }, { REDIS_URL: 'redis://x' }).settings).toMatchObject({ type: 'redis', redis: undefined });
    const off = read({ cache: true, cache_params: { type: 'redis' } });
    expect(off.settings).toBeUndefined();
    expect(off.warnings[0]).toContain('caching is off');
  });

  it('a cache type Switchboard does not have is a warning (cache off); nonsense is an issue', () => {
    const s3 = read({ cache: true, cache_params: { type: 's3' } });
    expect(s3.settings).toBeUndefined();
    expect(s3.issues).toEqual([]);
    expect(s3.warnings[0]).toContain("'s3' is not supported");
    expect(read({ cache: true, cache_params: { type: 'memcached' } }).issues[0].path).toBe('litellm_settings.cache_params.type');
    expect(read({ cache: true, cache_params: { ttl: 'soon' } }).issues[0].path).toBe('litellm_settings.cache_params.ttl');
    expect(read({ cache: true, cache_params: { mode: 'default_off' } }).warnings).toContain('litellm_settings.cache_params.mode: unknown key, ignored');
  });

  it('is read from config.yaml, with os.environ/ references resolved', () => {
    const loaded = parseConfigText(
      `
model_list: []
litellm_settings:
  cache: True
  cache_params: { type: redis, host: os.environ/CACHE_HOST, port: 6390 }
`,
      { CACHE_HOST: '10.0.0.5' },
    );
    expect(loaded.config.litellm.cache).toMatchObject({ type: 'redis', redis: { host: '10.0.0.5', port: 6390 } });
    expect(loaded.warnings.filter((w) => w.includes('litellm_settings.cache'))).toEqual([]);
  });
});
