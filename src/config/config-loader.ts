import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { load, YAMLException } from 'js-yaml';
import { ConfigError, ConfigIssue } from './config-error.js';
import {
  AWS_PARAM_KEYS,
  GeneralSettingsSchema,
  KNOWN_KEYS,
  OTHER_LITELLM_KEYS,
  LitellmParamsSchema,
  LitellmSettingsSchema,
  ModelEntrySchema,
  RouterSettingsSchema,
} from './config.schema.js';
import {
  AliasConfig,
  AwsParams,
  ConfigSource,
  DEFAULT_TIMEOUT_MS,
  DeploymentConfig,
  GatewayConfig,
  RouterSettings,
  RoutingStrategy,
} from './config.types.js';
import { envRefName, envRefNames, resolveEnvRefs } from './env-ref.js';
import { providerInfo } from '../providers/provider-catalog.js';
import { normalizeCacheSettings } from '../cache/cache-settings.js';
import { suggestKey } from './key-suggestion.js';
import { withDefaultApiKey } from './default-api-key.js';
import { PYYAML_SCHEMA } from './pyyaml-schema.js';
import { pickRequestDefaults } from '../routing/request-defaults.js';
import { otelSettingsFrom } from '../tracing/otel-settings.js';

export interface LoadedConfig {
  config: GatewayConfig;
  /** Human-readable notes (ignored keys, unset variables): logged at start-up, never fatal. */
  warnings: string[];
}

export function readConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return parseConfigText(readConfigText(path), env, path);
}

/** `shownAs` is the path as the user typed it, for messages; `path` is what is opened. */
export function readConfigText(path: string, shownAs: string = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw ConfigError.at('', `cannot read config file ${shownAs}: ${reason}`);
  }
}

export function parseConfigText(text: string, env: NodeJS.ProcessEnv = process.env, file?: string): LoadedConfig {
  return orThrow(analyzeConfigText(text, env, file));
}

/**
 * Parses config YAML the way LiteLLM's PyYAML does. A syntax error becomes a ConfigError that
 * reads like a compiler's (`config/broken.yaml:4:1: reason`) with the offending line under it,
 * so the user can jump straight to it; `file` is the path as the user gave it.
 */
export function loadConfigYaml(text: string, file?: string): unknown {
  try {
    // js-yaml rejects a document-less file; for a config, empty or comments-only means "nothing configured".
    return isBlankYaml(text) ? {} : load(text, { schema: PYYAML_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    if (!err.mark) throw ConfigError.at('', `${file ? `${file}: ` : ''}invalid YAML: ${err.reason}`);
    const { line, column } = err.mark;
    const where = `${file ?? '<config>'}:${line + 1}:${column + 1}`;
    const source = text.split(/\r?\n/)[line] ?? '';
    const excerpt = `\n  ${line + 1} | ${source}\n  ${' '.repeat(String(line + 1).length)} | ${' '.repeat(column)}^`;
    throw ConfigError.at('', `${where}: invalid YAML: ${err.reason}${excerpt}`);
  }
}

/**
 * Like parseConfigText, but a problem in one model entry, alias or setting does not hide the
 * others: every issue is returned, and `config` holds what did parse, so `check` can go on to
 * the whole-file rules. Only a file that is not YAML, or not a mapping, throws.
 */
export function analyzeConfigText(text: string, env: NodeJS.ProcessEnv = process.env, file?: string): ConfigAnalysis {
  let raw = loadConfigYaml(text, file);
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw ConfigError.at('', 'the config must be a YAML mapping with model_list, router_settings, ...');
  }
  return analyzeConfigObject(raw as Record<string, unknown>, env);
}

function isBlankYaml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line));
}

export function parseConfigObject(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return orThrow(analyzeConfigObject(raw, env));
}

export interface ConfigAnalysis extends LoadedConfig {
  /** Everything wrong with the file's shape; when non-empty, `config` is partial and must not be served. */
  readonly issues: ConfigIssue[];
  /** `config.models[k]` is `model_list[modelIndexes[k]]`: rejected entries leave gaps. */
  readonly modelIndexes: number[];
}

function orThrow(analysis: ConfigAnalysis): LoadedConfig {
  if (analysis.issues.length > 0) throw new ConfigError(analysis.issues);
  return { config: analysis.config, warnings: analysis.warnings };
}

const SECTIONS = {
  router_settings: RouterSettingsSchema,
  general_settings: GeneralSettingsSchema,
  litellm_settings: LitellmSettingsSchema,
} as const;

export function analyzeConfigObject(raw: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ConfigAnalysis {
  const issues: ConfigIssue[] = [];
  const warnings = [...unknownKeyWarnings(raw, issues), ...retryPolicyWarnings(raw)];
  const effectiveEnv = withConfigEnvironment(raw, env);
  const { value: resolvedValue, missing } = resolveEnvRefs(raw, effectiveEnv);
  const resolved = resolvedValue as Record<string, unknown>;

  // Each model entry and each section is checked on its own: a mistake drops only that entry
  // (model_list) or that field (settings), so later checks still see everything else.
  const rawList = raw.model_list;
  const resolvedList = resolved.model_list;
  const accepted: { entry: Record<string, unknown>; unresolved: Record<string, unknown>; index: number }[] = [];
  if (resolvedList !== undefined && resolvedList !== null && !Array.isArray(resolvedList)) {
    issues.push({ path: 'model_list', message: 'must be a list of model entries (each starting with "- model_name: ...")' });
  } else if (Array.isArray(resolvedList)) {
    resolvedList.forEach((entry, i) => {
      const found = entryIssues(entry, `model_list[${i}]`);
      if (found.length > 0) issues.push(...found);
      else accepted.push({ entry, unresolved: (rawList as unknown[])[i] as Record<string, unknown>, index: i });
    });
  }

  const sections: Record<string, Record<string, unknown>> = {};
  for (const [section, schema] of Object.entries(SECTIONS)) {
    const value = resolved[section];
    if (value === undefined || value === null) {
      sections[section] = {};
      continue;
    }
    if (!isMapping(value)) {
      issues.push({ path: section, message: 'must be a mapping' });
      sections[section] = {};
      continue;
    }
    const found = validateShape(schema, value, section);
    const kept = { ...(value as Record<string, unknown>) };
    for (const issue of found) delete kept[issue.path.slice(section.length + 1).split(/[.[]/)[0]];
    issues.push(...found);
    sections[section] = kept;
  }
  const envBlock = raw.environment_variables;
  if (envBlock !== undefined && envBlock !== null && !isMapping(envBlock)) {
    issues.push({ path: 'environment_variables', message: 'must be a mapping' });
  }

  const masterKeyMissing = missing.find((m) => m.path === 'general_settings.master_key');
  if (masterKeyMissing) {
    // Failing closed: an unset master key variable must not silently open the gateway.
    issues.push({
      path: 'general_settings.master_key',
      message: `environment variable ${masterKeyMissing.name} is not set (remove master_key to run without authentication)`,
    });
  }
  const generalRaw = sections.general_settings;
  if (generalRaw.metrics_require_auth === true && !generalRaw.master_key && !masterKeyMissing) {
    // Without a master key nobody could scrape; refusing to start beats a /metrics that is always 401.
    issues.push({ path: 'general_settings.metrics_require_auth', message: 'needs general_settings.master_key (the key /metrics then asks for)' });
  }
  for (const m of missing) {
    if (m.path === 'general_settings.master_key') continue;
    const inDeployment = /^model_list\[\d+\]\./.test(m.path);
    warnings.push(`${m.path}: environment variable ${m.name} is not set${inDeployment ? '; requests to this deployment fail with deployment_misconfigured until it is' : ''}`);
  }

  accepted.forEach(({ entry, index }) => {
    const params = entry.litellm_params as Record<string, unknown>;
    const provider = typeof params.custom_llm_provider === 'string' ? params.custom_llm_provider : String(params.model).split('/')[0];
    const info = providerInfo(provider);
    if (info?.defaultApiVersion && !params.api_version) {
      warnings.push(`model_list[${index}].litellm_params.api_version: not set; using ${info.defaultApiVersion}, LiteLLM's default for ${provider} (set it to pin the version)`);
    }
  });
  const router = sections.router_settings as Record<string, any>;
  const general = sections.general_settings as Record<string, any>;
  const models = accepted.map((a) => {
    const d = withUnsetReferences(normalizeModelEntry(a.entry, a.unresolved, 'file'), a.index, missing);
    return withDefaultApiKey(d, (a.unresolved.litellm_params ?? {}) as Record<string, unknown>, effectiveEnv, `model_list[${a.index}]`, warnings);
  });
  const config: GatewayConfig = {
    models: dedupeGeneratedIds(models),
    aliases: normalizeAliases(router.model_group_alias, issues),
    router: normalizeRouterSettings(router, sections.litellm_settings as Record<string, any>, issues, warnings),
    general: {
      masterKey: general.master_key,
      databaseUrl: general.database_url || undefined,
      allowFileModelEdits: general.allow_file_model_edits === true,
      logPrompts: general.log_prompts === true,
      storeResyncIntervalSeconds: general.store_resync_interval_seconds,
      metricsRequireAuth: general.metrics_require_auth === true,
      publicDocs: general.public_docs === true,
      responsesStoreTtlSec: typeof general.responses_store_ttl === 'number' ? general.responses_store_ttl : undefined,
      otel: otelSettingsFrom(general.otel, effectiveEnv, issues, warnings),
    },
    litellm: { dropParams: sections.litellm_settings.drop_params === true, cache: normalizeCacheSettings(sections.litellm_settings, issues, warnings, effectiveEnv) },
    envRefs: envRefNames(raw),
  };
  return { config, warnings, issues, modelIndexes: accepted.map((a) => a.index) };
}

/**
 * An unset `os.environ/` reference anywhere in a deployment other than its api_key (which has
 * its own message) takes the deployment out of service until set: served without it, an unset
 * api_base would mean the provider's default host, and the deployment's key would go there.
 */
function withUnsetReferences(d: DeploymentConfig, index: number, missing: readonly { path: string; name: string }[]): DeploymentConfig {
  const prefix = `model_list[${index}].`;
  const unset = missing.filter((m) => m.path.startsWith(prefix) && m.path !== `${prefix}litellm_params.api_key`);
  if (unset.length === 0) return d;
  const list = unset.map((m) => `environment variable ${m.name} (${m.path.slice(prefix.length)}) is not set on the gateway`).join('; ');
  return { ...d, misconfigured: `${list}.` };
}

/** Container types first: class-validator's messages for them are confusing ("nested property must be either object or array"). */
function entryIssues(entry: unknown, path: string): ConfigIssue[] {
  if (!isMapping(entry)) return [{ path, message: 'must be a mapping with model_name and litellm_params' }];
  const structural: ConfigIssue[] = [];
  for (const key of ['litellm_params', 'model_info']) {
    const value = (entry as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && !isMapping(value)) structural.push({ path: `${path}.${key}`, message: 'must be a mapping' });
  }
  if (structural.length > 0) {
    // A wrong model_name is a separate mistake from a wrong container; report it too.
    const name = (entry as Record<string, unknown>).model_name;
    if (typeof name !== 'string' || !name) structural.unshift({ path: `${path}.model_name`, message: name == null ? 'is required' : 'must be a non-empty string' });
    return structural;
  }
  return validateShape(ModelEntrySchema, entry, path);
}

/**
 * Turns one model_list entry (already env-resolved) into a deployment. `unresolved` is the same
 * entry before env resolution: it tells which api_key came from an unset variable and keeps
 * generated ids independent of secret values.
 */
export function normalizeModelEntry(
  entry: Record<string, unknown>,
  unresolved: Record<string, unknown> | undefined,
  source: ConfigSource,
): DeploymentConfig {
  const params = (entry.litellm_params ?? {}) as LitellmParamsSchema & Record<string, unknown>;
  const info = (entry.model_info ?? {}) as Record<string, unknown>;
  const rawParams = ((unresolved ?? entry).litellm_params ?? {}) as Record<string, unknown>;
  const modelName = String(entry.model_name);
  const id = typeof info.id === 'string' && info.id ? info.id : generatedId(modelName, rawParams);
  const extraHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(params.extra_headers ?? {})) {
    if (v !== undefined && v !== null) extraHeaders[k.toLowerCase()] = String(v);
  }
  const seconds = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));
  return {
    id,
    modelName,
    model: params.model,
    customProvider: params.custom_llm_provider || undefined,
    apiBase: params.api_base ? params.api_base.replace(/\/+$/, '') : undefined,
    apiKey: params.api_key || undefined,
    apiKeyMissingEnv: params.api_key ? undefined : envRefName(rawParams.api_key),
    apiVersion: params.api_version || undefined,
    organization: params.organization || undefined,
    extraHeaders,
    timeoutMs: seconds(params.timeout),
    streamTimeoutMs: seconds(params.stream_timeout),
    maxRetries: params.max_retries,
    rpm: params.rpm,
    tpm: params.tpm,
    weight: params.weight,
    order: params.order,
    useChatForResponses: params.use_chat_completions_for_responses === true,
    dropParams: params.drop_params,
    requestDefaults: pickRequestDefaults(params),
    vertexProject: params.vertex_project || undefined,
    vertexLocation: params.vertex_location || undefined,
    vertexCredentials: params.vertex_credentials || undefined,
    aws: awsParams(params, rawParams),
    modelInfo: { ...info, id },
    source,
  };
}

/** The aws_* params, or undefined when the entry sets none (every non-bedrock deployment). */
function awsParams(params: Record<string, unknown>, rawParams: Record<string, unknown>): AwsParams | undefined {
  const value = (key: (typeof AWS_PARAM_KEYS)[number]) => (typeof params[key] === 'string' && params[key] ? (params[key] as string) : undefined);
  const missingEnv = AWS_PARAM_KEYS.filter((k) => !value(k) && envRefName(rawParams[k])).map((k) => `${k} (${envRefName(rawParams[k])})`);
  const out: AwsParams = {
    accessKeyId: value('aws_access_key_id'),
    secretAccessKey: value('aws_secret_access_key'),
    sessionToken: value('aws_session_token'),
    regionName: value('aws_region_name'),
    runtimeEndpoint: value('aws_bedrock_runtime_endpoint')?.replace(/\/+$/, ''),
    roleName: value('aws_role_name'),
    sessionName: value('aws_session_name'),
    stsEndpoint: value('aws_sts_endpoint')?.replace(/\/+$/, ''),
    webIdentityToken: value('aws_web_identity_token'),
    ...(missingEnv.length ? { missingEnv } : {}),
  };
  for (const k of Object.keys(out) as (keyof AwsParams)[]) if (out[k] === undefined) delete (out as Record<string, unknown>)[k];
  return Object.keys(out).length ? out : undefined;
}

/** Validates one admin-submitted model entry with the same schema as the file. */
export function validateModelEntry(entry: unknown, path: string): ConfigIssue[] {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return [{ path, message: 'must be an object' }];
  return validateShape(ModelEntrySchema, entry, path);
}

function generatedId(modelName: string, rawParams: Record<string, unknown>): string {
  const hash = createHash('sha256').update(modelName).update('\0').update(stableStringify(rawParams)).digest('hex');
  return `gen-${hash.slice(0, 16)}`;
}

function dedupeGeneratedIds(models: DeploymentConfig[]): DeploymentConfig[] {
  const seen = new Map<string, number>();
  return models.map((m) => {
    const n = seen.get(m.id) ?? 0;
    seen.set(m.id, n + 1);
    if (n === 0 || !m.id.startsWith('gen-')) return m;
    const id = `${m.id}-${n}`;
    return { ...m, id, modelInfo: { ...m.modelInfo, id } };
  });
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function normalizeAliases(raw: unknown, issues: ConfigIssue[]): Record<string, AliasConfig> {
  const out: Record<string, AliasConfig> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value === 'string') {
      out[name] = { target: value, hidden: false };
    } else if (value && typeof value === 'object' && typeof (value as any).model === 'string') {
      out[name] = { target: (value as any).model, hidden: (value as any).hidden === true };
    } else {
      issues.push({ path: `router_settings.model_group_alias.${name}`, message: 'must be a model name or {model: <name>, hidden: <bool>}' });
    }
  }
  return out;
}

/**
 * router_settings, with LiteLLM's litellm_settings reliability keys filling what it leaves unset.
 * LiteLLM's Router takes each of these from its own arguments (router_settings) and only falls
 * back to the module-level `litellm.*` values litellm_settings sets, so router_settings wins
 * when both are given. As there, an empty fallback list counts as unset (`fallbacks or
 * litellm.fallbacks`), and a number counts as set even when 0 (`num_retries is not None`).
 */
function normalizeRouterSettings(raw: Record<string, any>, litellm: Record<string, any>, issues: ConfigIssue[], warnings: string[] = []): RouterSettings {
  const seconds = (s: unknown) => (typeof s === 'number' ? Math.round(s * 1000) : undefined);
  const from: Record<string, 'litellm_settings'> = {};
  const pick = (key: string, litellmKey: string = key, isSet: (v: unknown) => boolean = (v) => v !== undefined && v !== null) => {
    const own = raw[key];
    const global = litellm[litellmKey];
    if (isSet(own)) {
      if (isSet(global) && stableStringify(own) !== stableStringify(global)) {
        warnings.push(`litellm_settings.${litellmKey}: overridden by router_settings.${key} (router_settings wins, as in LiteLLM)`);
      }
      return { value: own, section: 'router_settings' };
    }
    if (isSet(global)) {
      from[key] = 'litellm_settings';
      return { value: global, section: 'litellm_settings' };
    }
    return { value: undefined, section: 'router_settings' };
  };
  const nonEmptyList = (v: unknown) => (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null);
  const fallbacks = (key: string) => {
    const p = pick(key, key, nonEmptyList);
    return normalizeFallbacks(p.value, `${p.section}.${key}`, issues);
  };
  const defaults = pick('default_fallbacks', 'default_fallbacks', nonEmptyList);
  return {
    routingStrategy: (raw.routing_strategy ?? 'simple-shuffle') as RoutingStrategy,
    numRetries: pick('num_retries').value ?? 2,
    timeoutMs: seconds(pick('timeout', 'request_timeout').value) ?? DEFAULT_TIMEOUT_MS,
    streamTimeoutMs: seconds(raw.stream_timeout),
    fallbacks: fallbacks('fallbacks'),
    contextWindowFallbacks: fallbacks('context_window_fallbacks'),
    contentPolicyFallbacks: fallbacks('content_policy_fallbacks'),
    defaultFallbacks: normalizeNameList(defaults.value, `${defaults.section}.default_fallbacks`, issues),
    allowedFails: pick('allowed_fails').value ?? 3,
    cooldownTimeSec: pick('cooldown_time').value ?? 5,
    retryPolicy: normalizeRetryPolicy(raw.retry_policy, issues),
    retryAfterMs: seconds(raw.retry_after) ?? 500,
    ...(Object.keys(from).length ? { settingsFrom: from } : {}),
  };
}

function normalizeFallbacks(raw: unknown, path: string, issues: ConfigIssue[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (raw === undefined || raw === null) return out;
  (raw as unknown[]).forEach((item, i) => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      issues.push({ path: `${path}[${i}]`, message: 'must be a mapping {model_group: [fallback, ...]}' });
      return;
    }
    for (const [group, targets] of Object.entries(item as Record<string, unknown>)) {
      out[group] = normalizeNameList(targets, `${path}[${i}].${group}`, issues);
    }
  });
  return out;
}

function normalizeNameList(raw: unknown, path: string, issues: ConfigIssue[]): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') return [raw];
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string' || !x)) {
    issues.push({ path, message: 'must be a list of model names' });
    return [];
  }
  return raw as string[];
}

/** The retry_policy keys the router applies (see retryPolicyKey in routing/failure-classifier.ts). */
const APPLIED_RETRY_POLICY_KEYS = ['TimeoutErrorRetries', 'RateLimitErrorRetries', 'InternalServerErrorRetries'];
/** LiteLLM keys for errors Switchboard never retries, whatever the count: a retry cannot change the answer. */
const NEVER_RETRIED_POLICY_KEYS = ['BadRequestErrorRetries', 'AuthenticationErrorRetries', 'ContentPolicyViolationErrorRetries'];

/** A LiteLLM config that sets these should load, but the operator must not believe they act. */
function retryPolicyWarnings(raw: Record<string, unknown>): string[] {
  const policy = (raw.router_settings as Record<string, unknown> | undefined)?.retry_policy;
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) return [];
  const warnings: string[] = [];
  for (const key of Object.keys(policy)) {
    if (APPLIED_RETRY_POLICY_KEYS.includes(key)) continue;
    const path = `router_settings.retry_policy.${key}`;
    warnings.push(
      NEVER_RETRIED_POLICY_KEYS.includes(key)
        ? `${path}: ignored, these errors are never retried (4xx answers cannot change on a retry)`
        : `${path}: unknown key, ignored (known: ${APPLIED_RETRY_POLICY_KEYS.join(', ')})`,
    );
  }
  return warnings;
}

function normalizeRetryPolicy(raw: unknown, issues: ConfigIssue[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      issues.push({ path: `router_settings.retry_policy.${k}`, message: 'must be a non-negative integer' });
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** LiteLLM's `environment_variables:` block sets variables that are not already set. */
function withConfigEnvironment(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const block = raw.environment_variables;
  if (!block || typeof block !== 'object' || Array.isArray(block)) return env;
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [k, v] of Object.entries(block as Record<string, unknown>)) {
    if (merged[k] === undefined && v !== null && v !== undefined) merged[k] = String(v);
  }
  return merged;
}

const isMapping = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** class-validator constraint names that check a value's type; when one fails, the others are noise. */
const TYPE_CONSTRAINTS = ['isString', 'isNumber', 'isInt', 'isBoolean', 'isObject', 'isArray', 'isIn'];

function validateShape(cls: new () => object, value: unknown, prefix: string): ConfigIssue[] {
  const instance = plainToInstance(cls, value);
  const errors = validateSync(instance as object, { forbidUnknownValues: false });
  const issues: ConfigIssue[] = [];
  flatten(errors, prefix, issues);
  return issues;
}

function flatten(errors: ValidationError[], prefix: string, out: ConfigIssue[]): void {
  for (const e of errors) {
    const path = /^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const value = e.value;
      const message =
        value === undefined || value === null
          ? 'is required'
          : constraintMessages(e.constraints);
      out.push({ path, message });
    }
    if (e.children?.length) flatten(e.children, path, out);
  }
}

function constraintMessages(constraints: Record<string, string>): string {
  const typeKey = TYPE_CONSTRAINTS.find((k) => k in constraints);
  const messages = typeKey ? [constraints[typeKey]] : Object.values(constraints);
  return messages.map((c) => c.replace(/^[\w.[\]]+ /, '').replace(/ conforming to the specified constraints$/, '')).join('; ');
}

/**
 * Unknown keys are warnings (LiteLLM has many Switchboard does not read), except a near miss of
 * a key it does read: `api_bsae` ignored would send the entry to the provider's default host.
 */
function unknownKeyWarnings(raw: Record<string, unknown>, issues: ConfigIssue[]): string[] {
  const warnings: string[] = [];
  const check = (obj: unknown, schemaKey: string, path: string) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    const known = KNOWN_KEYS[schemaKey];
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue;
      const where = `${path ? `${path}.` : ''}${key}`;
      const suggestion = suggestKey(key, known, OTHER_LITELLM_KEYS[schemaKey]);
      if (suggestion) issues.push({ path: where, message: `unknown key; did you mean '${suggestion}'?` });
      else warnings.push(`${where}: unknown key, ignored`);
    }
  };
  check(raw, '', '');
  for (const section of ['router_settings', 'general_settings', 'litellm_settings']) {
    check(raw[section], section, section);
  }
  if (Array.isArray(raw.model_list)) {
    raw.model_list.forEach((entry, i) => {
      check(entry, 'model_list[]', `model_list[${i}]`);
      check((entry as any)?.litellm_params, 'model_list[].litellm_params', `model_list[${i}].litellm_params`);
    });
  }
  return warnings;
}
