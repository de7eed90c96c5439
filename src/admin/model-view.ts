import { isSecretHeader } from '../common/secret-redaction.js';
import { redactUrl } from '../common/url-redaction.js';
import type { AwsParams, DeploymentConfig } from '../config/config.types.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import { maskSecret, UNDECRYPTABLE_MASK } from '../store/secret-box.js';
import { isSecretParam, maskSecretParam } from '../store/model-secrets.js';
import type { StoredModel } from '../store/models.repository.js';

/** LiteLLM's model shape for /model/info and write responses. Secrets (keys, URL passwords) are masked, never echoed. */
export interface ModelView {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info: Record<string, unknown>;
}

export function renderModel(d: DeploymentConfig, stored: StoredModel | undefined, editable: boolean): ModelView {
  const params = stored ? renderStoredParams(stored) : renderFileParams(d);
  return {
    model_name: d.modelName,
    litellm_params: params,
    model_info: {
      ...d.modelInfo,
      id: d.id,
      db_model: d.source === 'db',
      source: d.source,
      editable,
      ...(stored ? { created_at: stored.createdAt, updated_at: stored.updatedAt } : {}),
      ...(d.misconfigured ? { misconfigured: d.misconfigured } : {}),
    },
  };
}

function renderStoredParams(stored: StoredModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(stored.litellmParams)) {
    if (k === 'api_key') out.api_key = maskSecret(typeof v === 'string' ? v : undefined);
    else if (k === 'api_base' && typeof v === 'string') out.api_base = redactUrl(v);
    else if (k === 'extra_headers' && v && typeof v === 'object') out.extra_headers = maskHeaders(v as Record<string, unknown>);
    else if (isSecretParam(k, v)) out[k] = maskSecretParam(v);
    else out[k] = v;
  }
  if (stored.apiKeyError) out.api_key = UNDECRYPTABLE_MASK;
  return out;
}

function renderFileParams(d: DeploymentConfig): Record<string, unknown> {
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  const out: Record<string, unknown> = {
    model: d.model,
    custom_llm_provider: d.customProvider,
    api_base: d.apiBase === undefined ? undefined : redactUrl(d.apiBase),
    api_key: d.apiKey ? maskSecret(d.apiKey) : d.apiKeyMissingEnv ? `os.environ/${d.apiKeyMissingEnv}` : undefined,
    api_version: d.apiVersion,
    organization: d.organization,
    extra_headers: Object.keys(d.extraHeaders).length ? maskHeaders(d.extraHeaders) : undefined,
    timeout: seconds(d.timeoutMs),
    stream_timeout: seconds(d.streamTimeoutMs),
    max_retries: d.maxRetries,
    rpm: d.rpm,
    tpm: d.tpm,
    weight: d.weight,
    order: d.order,
    use_chat_completions_for_responses: d.useChatForResponses || undefined,
    drop_params: d.dropParams,
    vertex_project: d.vertexProject,
    vertex_location: d.vertexLocation,
    vertex_credentials: isSecretParam('vertex_credentials', d.vertexCredentials) ? maskSecretParam(d.vertexCredentials) : d.vertexCredentials,
    ...awsParams(d, true),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Header values that look like credentials are masked like api keys. */
function maskHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isSecretHeader(k) ? maskSecret(String(v)) : v;
  return out;
}

/** The plain litellm_params of a file model, unmasked: the base when an operator overrides it. */
export function fileParamsForOverride(d: DeploymentConfig): Record<string, unknown> {
  // An override must keep the file entry's default request parameters, or they would silently stop applying.
  const params = { ...renderFileParams(d), ...(d.requestDefaults ?? {}) };
  if (d.apiBase) params.api_base = d.apiBase;
  if (d.apiKey) params.api_key = d.apiKey;
  if (Object.keys(d.extraHeaders).length) params.extra_headers = { ...d.extraHeaders };
  if (d.vertexCredentials !== undefined) params.vertex_credentials = d.vertexCredentials;
  Object.assign(params, awsParams(d, false));
  return params;
}

const AWS_KEYS: Readonly<Record<keyof Omit<AwsParams, 'missingEnv'>, string>> = {
  accessKeyId: 'aws_access_key_id',
  secretAccessKey: 'aws_secret_access_key',
  sessionToken: 'aws_session_token',
  regionName: 'aws_region_name',
  runtimeEndpoint: 'aws_bedrock_runtime_endpoint',
  roleName: 'aws_role_name',
  sessionName: 'aws_session_name',
  stsEndpoint: 'aws_sts_endpoint',
  webIdentityToken: 'aws_web_identity_token',
};

/** A bedrock deployment's aws_* params under LiteLLM's names; unset references as written (`os.environ/NAME`). */
function awsParams(d: DeploymentConfig, mask: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!d.aws) return out;
  for (const [field, key] of Object.entries(AWS_KEYS) as [keyof typeof AWS_KEYS, string][]) {
    const v = d.aws[field];
    if (v !== undefined) out[key] = mask && isSecretParam(key, v) ? maskSecretParam(v) : v;
  }
  for (const m of d.aws.missingEnv ?? []) {
    const [key, name = '()'] = m.split(' ');
    out[key] = `os.environ/${name.slice(1, -1)}`;
  }
  return out;
}

export interface ResolveView {
  requested_model: string;
  endpoint: string;
  group: string;
  via: 'exact' | 'alias' | 'wildcard';
  alias_chain: string[];
  wildcard: { pattern: string; captures: string[] } | null;
  reason: string;
  candidates: {
    deployment_id: string;
    model_name: string;
    provider: string;
    upstream_model: string;
    api_base: string;
    api_version?: string;
    source: string;
    has_api_key: boolean;
    /** Present when requests to this candidate fail before reaching it, with the reason. */
    misconfigured?: string;
  }[];
}

/**
 * The dry-run answer of GET /model/resolve: exactly the Resolution a request would get, minus
 * secrets. `matchedName` is the name that finally matched (the last alias target, or the name sent).
 */
export function renderResolution(r: Resolution, endpoint: string, isWildcard: boolean, matchedName: string): ResolveView {
  const steps: string[] = [];
  if (r.aliasChain.length) steps.push(`alias ${[...r.aliasChain, matchedName].join(' -> ')}`);
  steps.push(
    isWildcard
      ? `'${matchedName}' matched wildcard '${r.group}' capturing ${JSON.stringify(r.captures)}`
      : `'${matchedName}' is a model_name (exact match)`,
  );
  return {
    requested_model: r.requestedName,
    endpoint,
    group: r.group,
    via: r.via,
    alias_chain: [...r.aliasChain],
    wildcard: isWildcard ? { pattern: r.group, captures: [...r.captures] } : null,
    reason: steps.join('; '),
    candidates: r.candidates.map((t) => ({
      deployment_id: t.deploymentId,
      model_name: t.deployment.modelName,
      provider: t.provider,
      upstream_model: t.upstreamModel,
      api_base: redactUrl(t.apiBase),
      ...(t.credentials.apiVersion ? { api_version: t.credentials.apiVersion } : {}),
      source: t.deployment.source,
      has_api_key: Boolean(t.credentials.apiKey),
      ...(t.deployment.misconfigured ? { misconfigured: t.deployment.misconfigured } : {}),
    })),
  };
}
