import type { ConfigIssue } from '../config/config-error.js';

/** Where and how traces are exported; absent means tracing is off. */
export interface OtelSettings {
  /** The full OTLP/HTTP traces URL (…/v1/traces). */
  readonly endpoint: string;
  /** Sent with every export (e.g. a collector's API key): never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  /** Share of new traces (those without an incoming sampled parent) that are recorded, 0..1. */
  readonly sampleRatio: number;
  /** Prompt and completion text as span events, truncated. Off by default. */
  readonly recordContent: boolean;
}

export const DEFAULT_SERVICE_NAME = 'switchboard';

const KNOWN = ['endpoint', 'headers', 'service_name', 'sample_ratio', 'record_content'];

/**
 * general_settings.otel first, then the standard OTEL_* variables for whatever it leaves out.
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is a full URL; OTEL_EXPORTER_OTLP_ENDPOINT (and
 * general_settings.otel.endpoint) is a base that gets /v1/traces, as the OTLP spec says, unless
 * it already ends with it. OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.
 */
export function otelSettingsFrom(raw: unknown, env: NodeJS.ProcessEnv, issues: ConfigIssue[], warnings: string[]): OtelSettings | undefined {
  const path = 'general_settings.otel';
  let section: Record<string, unknown> = {};
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      issues.push({ path, message: 'must be a mapping (endpoint, headers, service_name, sample_ratio, record_content)' });
      return undefined;
    }
    section = raw as Record<string, unknown>;
    for (const key of Object.keys(section)) if (!KNOWN.includes(key)) warnings.push(`${path}.${key}: unknown key, ignored`);
  }
  if (truthy(env.OTEL_SDK_DISABLED) || env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return undefined;

  const endpoint = tracesUrl(section.endpoint, env, issues, path);
  if (!endpoint) return undefined;

  const headers: Record<string, string> = { ...parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS) };
  if (section.headers !== undefined && section.headers !== null) {
    if (typeof section.headers !== 'object' || Array.isArray(section.headers)) {
      issues.push({ path: `${path}.headers`, message: 'must be a mapping of header names to values' });
    } else {
      for (const [name, value] of Object.entries(section.headers as Record<string, unknown>)) {
        if (typeof value !== 'string' && typeof value !== 'number') {
          issues.push({ path: `${path}.headers.${name}`, message: 'must be a string' });
          continue;
        }
        headers[name.toLowerCase()] = String(value);
      }
    }
  }

  let serviceName = env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME;
  if (section.service_name !== undefined) {
    if (typeof section.service_name === 'string' && section.service_name.trim()) serviceName = section.service_name.trim();
    else issues.push({ path: `${path}.service_name`, message: 'must be a non-empty string' });
  }

  let sampleRatio = envRatio(env);
  if (section.sample_ratio !== undefined) {
    const r = section.sample_ratio;
    if (typeof r === 'number' && r >= 0 && r <= 1) sampleRatio = r;
    else issues.push({ path: `${path}.sample_ratio`, message: 'must be a number from 0 to 1' });
  }

  let recordContent = false;
  if (section.record_content !== undefined) {
    if (typeof section.record_content === 'boolean') recordContent = section.record_content;
    else issues.push({ path: `${path}.record_content`, message: 'must be true or false' });
  }
  return { endpoint, headers, serviceName, sampleRatio, recordContent };
}

function tracesUrl(configured: unknown, env: NodeJS.ProcessEnv, issues: ConfigIssue[], path: string): string | undefined {
  let url: string | undefined;
  if (configured !== undefined && configured !== null && configured !== '') {
    if (typeof configured !== 'string') {
      issues.push({ path: `${path}.endpoint`, message: 'must be a URL string' });
      return undefined;
    }
    url = withTracesPath(configured.trim());
  } else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim()) {
    url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.trim();
  } else if (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) {
    url = withTracesPath(env.OTEL_EXPORTER_OTLP_ENDPOINT.trim());
  }
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined as unknown as URL;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    // Named without the value: a URL may carry credentials.
    const source = configured ? `${path}.endpoint` : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    issues.push({ path: source, message: 'must be an http:// or https:// URL (the OTLP/HTTP collector)' });
    return undefined;
  }
  return url;
}

function withTracesPath(base: string): string {
  if (/\/v1\/traces\/?$/.test(base)) return base;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** The W3C Baggage-like list the OTel spec uses: `k1=v1,k2=v2`, values URL-encoded. */
export function parseHeaderList(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    let v = part.slice(eq + 1).trim();
    try {
      v = decodeURIComponent(v);
    } catch {
      /* keep it as written */
    }
    if (name) out[name] = v;
  }
  return out;
}

/** OTEL_TRACES_SAMPLER_ARG, when OTEL_TRACES_SAMPLER names a ratio sampler; else everything. */
function envRatio(env: NodeJS.ProcessEnv): number {
  const sampler = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') return 0;
  if (sampler !== 'traceidratio' && sampler !== 'parentbased_traceidratio') return 1;
  const r = Number(env.OTEL_TRACES_SAMPLER_ARG);
  return Number.isFinite(r) && r >= 0 && r <= 1 ? r : 1;
}

function truthy(v: string | undefined): boolean {
  return v?.trim().toLowerCase() === 'true';
}
