import type { ConfigIssue } from '../config/config-error.js';
import { otelSettingsFrom, parseHeaderList } from './otel-settings.js';

function run(raw: unknown, env: NodeJS.ProcessEnv = {}) {
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  return { settings: otelSettingsFrom(raw, env, issues, warnings), issues, warnings };
}

describe('otelSettingsFrom', () => {
  it('is off with neither general_settings.otel nor an OTEL endpoint', () => {
    expect(run(undefined).settings).toBeUndefined();
    expect(run({ service_name: 'x' }).settings).toBeUndefined();
  });

  it('takes the config, appending /v1/traces to a base endpoint', () => {
    const { settings, issues } = run({ endpoint: 'http://collector:4318/', headers: { 'X-Key': 'abc' }, service_name: 'gw', sample_ratio: 0.25, record_content: true });
    expect(issues).toEqual([]);
    expect(settings).toEqual({ endpoint: 'http://collector:4318/v1/traces', headers: { 'x-key': 'abc' }, serviceName: 'gw', sampleRatio: 0.25, recordContent: true });
    expect(run({ endpoint: 'https://c.example/v1/traces' }).settings?.endpoint).toBe('https://c.example/v1/traces');
  });

  it('falls back to the standard variables, the traces endpoint as a full URL', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318', OTEL_SERVICE_NAME: 'svc', OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=x%20y' };
    expect(run(undefined, env).settings).toEqual({ endpoint: 'http://base:4318/v1/traces', headers: { a: '1', b: 'x y' }, serviceName: 'svc', sampleRatio: 1, recordContent: false });
    expect(run(undefined, { ...env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/custom' }).settings?.endpoint).toBe('http://t:1/custom');
    // The config's fields win over the variables, which fill what it leaves out.
    const mixed = run({ service_name: 'cfg', headers: { a: '2' } }, env).settings;
    expect(mixed).toMatchObject({ endpoint: 'http://base:4318/v1/traces', serviceName: 'cfg', headers: { a: '2', b: 'x y' } });
  });

  it('honours OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none and the ratio sampler variables', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318' };
    expect(run(undefined, { ...env, OTEL_SDK_DISABLED: 'true' }).settings).toBeUndefined();
    expect(run({ endpoint: 'http://x' }, { OTEL_TRACES_EXPORTER: 'none' }).settings).toBeUndefined();
    expect(run(undefined, { ...env, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).settings?.sampleRatio).toBe(0.1);
  });

  it('names the offending path and never echoes the endpoint value', () => {
    expect(run('yes').issues).toEqual([{ path: 'general_settings.otel', message: expect.stringContaining('mapping') }]);
    const bad = run({ endpoint: 'ftp://user:pw@host', sample_ratio: 2, record_content: 'yes', headers: { k: { nested: 1 } } });
    expect(bad.issues.map((i) => i.path).sort()).toEqual(['general_settings.otel.endpoint']);
    expect(JSON.stringify(bad.issues)).not.toContain('pw');
    const fields = run({ endpoint: 'http://ok', sample_ratio: 2, record_content: 'yes', headers: { k: { nested: 1 } }, extra: 1 });
    expect(fields.issues.map((i) => i.path).sort()).toEqual([
      'general_settings.otel.headers.k',
      'general_settings.otel.record_content',
      'general_settings.otel.sample_ratio',
    ]);
    expect(fields.warnings).toEqual(['general_settings.otel.extra: unknown key, ignored']);
  });

  it('parses the OTel header list format', () => {
    expect(parseHeaderList(' api-key = s%3Dx , junk, =v,k2=v2')).toEqual({ 'api-key': 's=x', k2: 'v2' });
    expect(parseHeaderList(undefined)).toEqual({});
  });
});

describe('general_settings.otel in a config file', () => {
  it('resolves os.environ/ references in its headers, and warns once about unknown keys', async () => {
    const { parseConfigText } = await import('../config/config-loader.js');
    const loaded = parseConfigText(
      `model_list: []\ngeneral_settings:\n  otel:\n    endpoint: http://c:4318\n    headers: { x-api-key: os.environ/COLLECTOR_KEY }\n    sampel_ratio: 1\n`,
      { COLLECTOR_KEY: 'k-123' },
    );
    expect(loaded.config.general.otel).toMatchObject({ endpoint: 'http://c:4318/v1/traces', headers: { 'x-api-key': 'k-123' } });
    expect(loaded.warnings.filter((w) => w.includes('sampel_ratio'))).toHaveLength(1);
  });
});
