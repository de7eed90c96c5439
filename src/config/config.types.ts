/** The normalised, validated configuration the rest of the gateway works with. */

import type { CacheSettings } from '../cache/cache-settings.js';
import type { EnvRefNames } from './env-ref.js';
import type { OtelSettings } from '../tracing/otel-settings.js';

export type ConfigSource = 'file' | 'db';

export interface DeploymentConfig {
  /** model_info.id: stable across restarts (generated from the entry when absent). */
  readonly id: string;
  /** model_name: a group name, or a wildcard pattern such as `openrouter/*`. */
  readonly modelName: string;
  /** litellm_params.model as written; may contain `*` placeholders for wildcard captures. */
  readonly model: string;
  /** litellm_params.custom_llm_provider: when set, `model` carries no provider prefix. */
  readonly customProvider?: string;
  readonly apiBase?: string;
  readonly apiKey?: string;
  /** Set when api_key is `os.environ/NAME` and NAME is unset: requests fail with a clear message. */
  readonly apiKeyMissingEnv?: string;
  readonly apiVersion?: string;
  readonly organization?: string;
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly streamTimeoutMs?: number;
  readonly maxRetries?: number;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly weight?: number;
  readonly order?: number;
  /** Serve /v1/responses through the chat bridge even when the provider has a native API. */
  readonly useChatForResponses: boolean;
  readonly dropParams?: boolean;
  /** Request parameters in litellm_params (temperature, max_tokens, ...): sent when the client leaves them out. */
  readonly requestDefaults?: Readonly<Record<string, unknown>>;
  /** vertex_ai: litellm_params.vertex_project / vertex_location / vertex_credentials (path, JSON text or object). */
  readonly vertexProject?: string;
  readonly vertexLocation?: string;
  readonly vertexCredentials?: string | Readonly<Record<string, unknown>>;
  /** bedrock: the aws_* litellm_params; absent when the entry sets none. */
  readonly aws?: AwsParams;
  readonly modelInfo: Readonly<Record<string, unknown>>;
  readonly source: ConfigSource;
  /**
   * Why requests must not reach this deployment at all, e.g. a stored model whose os.environ/
   * reference is no longer allowed or whose sealed credentials cannot be decrypted. Sending it
   * with the part left out could mean a provider's default URL or a masked password. Names what
   * to fix; never a secret value.
   */
  readonly misconfigured?: string;
}

/** The aws_* litellm_params (LiteLLM's names in comments), env references resolved. */
export interface AwsParams {
  /** aws_access_key_id */
  readonly accessKeyId?: string;
  /** aws_secret_access_key */
  readonly secretAccessKey?: string;
  /** aws_session_token */
  readonly sessionToken?: string;
  /** aws_region_name */
  readonly regionName?: string;
  /** aws_bedrock_runtime_endpoint: a custom or VPC endpoint. */
  readonly runtimeEndpoint?: string;
  /** aws_role_name: the ARN of a role to assume through STS. */
  readonly roleName?: string;
  /** aws_session_name */
  readonly sessionName?: string;
  /** aws_sts_endpoint */
  readonly stsEndpoint?: string;
  /** aws_web_identity_token: an OIDC token exchanged for the role's credentials (AssumeRoleWithWebIdentity). */
  readonly webIdentityToken?: string;
  /** The aws_* params written as `os.environ/NAME` with NAME unset, as `param (NAME)`. */
  readonly missingEnv?: readonly string[];
}

export interface AliasConfig {
  readonly target: string;
  readonly hidden: boolean;
}

export type RoutingStrategy =
  | 'simple-shuffle'
  | 'least-busy'
  | 'latency-based-routing'
  | 'usage-based-routing'
  | 'usage-based-routing-v2'
  | 'cost-based-routing';

export interface RouterSettings {
  readonly routingStrategy: RoutingStrategy;
  readonly numRetries: number;
  readonly timeoutMs: number;
  readonly streamTimeoutMs?: number;
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
  readonly contextWindowFallbacks: Readonly<Record<string, readonly string[]>>;
  /** Tried only after a content-policy refusal (which no ordinary fallback gets). */
  readonly contentPolicyFallbacks: Readonly<Record<string, readonly string[]>>;
  readonly defaultFallbacks: readonly string[];
  readonly allowedFails: number;
  readonly cooldownTimeSec: number;
  readonly retryPolicy: Readonly<Record<string, number>>;
  /** router_settings.retry_after (s → ms): base of the exponential backoff between retries. */
  readonly retryAfterMs: number;
  /** router_settings keys whose value came from litellm_settings instead (for messages naming the path). */
  readonly settingsFrom?: Readonly<Record<string, 'litellm_settings'>>;
}

export interface GeneralSettings {
  readonly masterKey?: string;
  readonly databaseUrl?: string;
  /** general_settings.allow_file_model_edits: admin writes may override/hide file entries. */
  readonly allowFileModelEdits?: boolean;
  /** general_settings.log_prompts: request logs include the prompt (messages/input). Off by default. */
  readonly logPrompts?: boolean;
  /**
   * general_settings.store_resync_interval_seconds: how often replicas re-read models, aliases and
   * keys from a shared store, covering invalidations lost on the way. 0 disables; default 30.
   */
  readonly storeResyncIntervalSeconds?: number;
  /** general_settings.metrics_require_auth: GET /metrics needs the master key. Off by default. */
  readonly metricsRequireAuth?: boolean;
  /** general_settings.public_docs: /openapi.json and /docs need no key. Off by default. */
  readonly publicDocs?: boolean;
  /** general_settings.responses_store_ttl: seconds a bridged response stays continuable (default 3600). */
  readonly responsesStoreTtlSec?: number;
  /** general_settings.otel and the OTEL_* variables: OpenTelemetry traces; absent means off. */
  readonly otel?: OtelSettings;
}

export interface LitellmSettings {
  readonly dropParams: boolean;
  /** litellm_settings.cache + cache_params; undefined when the response cache is off. */
  readonly cache?: CacheSettings;
}

export interface GatewayConfig {
  readonly models: readonly DeploymentConfig[];
  readonly aliases: Readonly<Record<string, AliasConfig>>;
  readonly router: RouterSettings;
  readonly general: GeneralSettings;
  readonly litellm: LitellmSettings;
  /**
   * The `os.environ/` variables the file names. Admin writes may reuse the ones its model_list
   * uses and never those of its settings (master key, database); absent when not from a file.
   */
  readonly envRefs?: EnvRefNames;
}

export const DEFAULT_TIMEOUT_MS = 600_000;
