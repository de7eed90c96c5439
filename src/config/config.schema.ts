import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
} from 'class-validator';
import { REQUEST_DEFAULT_KEYS } from '../routing/request-defaults.js';

/**
 * The shape of a LiteLLM-style config.yaml, checked with class-validator at load time, one
 * section and one model_list entry at a time (config-loader.ts) so one mistake hides no other.
 * Semantic rules that need the whole file (provider prefixes, aliases, wildcards) live in
 * routing-table.ts, which also validates admin writes.
 */
export class LitellmParamsSchema {
  @IsString() @IsNotEmpty() model!: string;
  @IsOptional() @IsString() custom_llm_provider?: string;
  @IsOptional() @IsString() api_base?: string;
  @IsOptional() @IsString() api_key?: string;
  @IsOptional() @IsString() api_version?: string;
  @IsOptional() @IsString() organization?: string;
  @IsOptional() @IsObject() extra_headers?: Record<string, unknown>;
  @IsOptional() @IsNumber() @Min(0) timeout?: number;
  @IsOptional() @IsNumber() @Min(0) stream_timeout?: number;
  @IsOptional() @IsInt() @Min(0) max_retries?: number;
  @IsOptional() @IsNumber() @Min(0) rpm?: number;
  @IsOptional() @IsNumber() @Min(0) tpm?: number;
  @IsOptional() @IsNumber() @Min(0) weight?: number;
  @IsOptional() @IsInt() @Min(0) order?: number;
  @IsOptional() @IsBoolean() use_chat_completions_for_responses?: boolean;
  @IsOptional() @IsBoolean() drop_params?: boolean;
  // Default request parameters (routing/request-defaults.ts): the common ones are type-checked here.
  @IsOptional() @IsNumber() @Min(0) temperature?: number;
  @IsOptional() @IsNumber() @Min(0) top_p?: number;
  @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number;
  @IsOptional() @IsInt() @Min(1) n?: number;
  @IsOptional() @IsInt() seed?: number;
  @IsOptional() @IsNumber() frequency_penalty?: number;
  @IsOptional() @IsNumber() presence_penalty?: number;
  @IsOptional() @IsObject() response_format?: Record<string, unknown>;
  @IsOptional() @IsString() reasoning_effort?: string;
  @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @IsOptional() @IsString() vertex_project?: string;
  @IsOptional() @IsString() vertex_location?: string;
  /** A file path, the service-account JSON text, or the JSON as a mapping: checked in vertex-ai/vertex-config.ts. */
  @IsOptional() vertex_credentials?: string | Record<string, unknown>;
  @IsOptional() @IsString() aws_access_key_id?: string;
  @IsOptional() @IsString() aws_secret_access_key?: string;
  @IsOptional() @IsString() aws_session_token?: string;
  @IsOptional() @IsString() aws_region_name?: string;
  @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/i, { message: 'must be an http(s) URL' }) aws_bedrock_runtime_endpoint?: string;
  @IsOptional() @IsString() aws_role_name?: string;
  @IsOptional() @IsString() aws_session_name?: string;
  @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$/i, { message: 'must be an http(s) URL' }) aws_sts_endpoint?: string;
  @IsOptional() @IsString() aws_web_identity_token?: string;
}

export class ModelInfoSchema {
  @IsOptional() @IsString() @IsNotEmpty() id?: string;
}

export class ModelEntrySchema {
  @IsString() @IsNotEmpty() model_name!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => LitellmParamsSchema)
  litellm_params!: LitellmParamsSchema;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ModelInfoSchema)
  model_info?: ModelInfoSchema;
}

export class RouterSettingsSchema {
  @IsOptional() @IsObject() model_group_alias?: Record<string, unknown>;
  @IsOptional()
  @IsIn(['simple-shuffle', 'least-busy', 'latency-based-routing', 'usage-based-routing', 'usage-based-routing-v2', 'cost-based-routing'])
  routing_strategy?: string;
  @IsOptional() @IsInt() @Min(0) num_retries?: number;
  @IsOptional() @IsNumber() @Min(0) timeout?: number;
  @IsOptional() @IsNumber() @Min(0) stream_timeout?: number;
  @IsOptional() @IsArray() fallbacks?: unknown[];
  @IsOptional() @IsArray() context_window_fallbacks?: unknown[];
  @IsOptional() @IsArray() content_policy_fallbacks?: unknown[];
  @IsOptional() @IsArray() default_fallbacks?: unknown[];
  @IsOptional() @IsInt() @Min(0) allowed_fails?: number;
  @IsOptional() @IsNumber() @Min(0) cooldown_time?: number;
  @IsOptional() @IsObject() retry_policy?: Record<string, unknown>;
  @IsOptional() @IsNumber() @Min(0) retry_after?: number;
}

export class GeneralSettingsSchema {
  @IsOptional() @IsString() @IsNotEmpty() master_key?: string;
  @IsOptional() @IsString() database_url?: string;
  /** Lets the admin API update/delete models and aliases that come from the config file. */
  @IsOptional() @IsBoolean() allow_file_model_edits?: boolean;
  @IsOptional() @IsBoolean() log_prompts?: boolean;
  @IsOptional() @IsNumber() @Min(0) store_resync_interval_seconds?: number;
  @IsOptional() @IsBoolean() metrics_require_auth?: boolean;
  /** Serves /openapi.json and /docs without a key (they describe routes, never data). */
  @IsOptional() @IsBoolean() public_docs?: boolean;
  /** Seconds a bridged /v1/responses response can be continued (previous_response_id, item_reference). */
  @IsOptional() @IsNumber() @Min(1) responses_store_ttl?: number;
  /** OpenTelemetry traces (checked field by field in tracing/otel-settings.ts). */
  @IsOptional() @IsObject() otel?: Record<string, unknown>;
}

export class LitellmSettingsSchema {
  @IsOptional() @IsBoolean() drop_params?: boolean;
  // LiteLLM's module-level reliability settings: used where router_settings leaves them unset.
  @IsOptional() @IsInt() @Min(0) num_retries?: number;
  @IsOptional() @IsNumber() @Min(0) request_timeout?: number;
  @IsOptional() @IsArray() fallbacks?: unknown[];
  @IsOptional() @IsArray() context_window_fallbacks?: unknown[];
  @IsOptional() @IsArray() content_policy_fallbacks?: unknown[];
  @IsOptional() @IsArray() default_fallbacks?: unknown[];
  @IsOptional() @IsInt() @Min(0) allowed_fails?: number;
  @IsOptional() @IsNumber() @Min(0) cooldown_time?: number;
  @IsOptional() @IsBoolean() cache?: boolean;
  @IsOptional() @IsObject() cache_params?: Record<string, unknown>;
}

/** The aws_* litellm_params the bedrock provider reads (LiteLLM's names). */
export const AWS_PARAM_KEYS = [
  'aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_region_name', 'aws_bedrock_runtime_endpoint',
  'aws_role_name', 'aws_session_name', 'aws_sts_endpoint', 'aws_web_identity_token',
] as const;

/** Keys the gateway reads; anything else is reported as ignored so typos do not go unnoticed. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['model_list', 'router_settings', 'general_settings', 'litellm_settings', 'environment_variables'],
  'model_list[]': ['model_name', 'litellm_params', 'model_info'],
  'model_list[].litellm_params': [
    'model', 'custom_llm_provider', 'api_base', 'api_key', 'api_version', 'organization', 'extra_headers',
    'timeout', 'stream_timeout', 'max_retries', 'rpm', 'tpm', 'weight', 'order',
    'use_chat_completions_for_responses', 'drop_params',
    ...REQUEST_DEFAULT_KEYS,
    'vertex_project', 'vertex_location', 'vertex_credentials',
    ...AWS_PARAM_KEYS,
  ],
  router_settings: [
    'model_group_alias', 'routing_strategy', 'num_retries', 'timeout', 'stream_timeout', 'fallbacks',
    'context_window_fallbacks', 'default_fallbacks', 'allowed_fails', 'cooldown_time', 'retry_policy',
    'retry_after',
    'content_policy_fallbacks',
  ],
  general_settings: [
    'master_key', 'database_url', 'allow_file_model_edits', 'log_prompts', 'store_resync_interval_seconds',
    'metrics_require_auth', 'responses_store_ttl',
    'otel',
    'public_docs',
  ],
  litellm_settings: [
    'drop_params', 'num_retries', 'request_timeout', 'fallbacks', 'context_window_fallbacks', 'content_policy_fallbacks',
    'default_fallbacks', 'allowed_fails', 'cooldown_time',
    'cache', 'cache_params',
  ],
};

/**
 * Keys LiteLLM itself accepts that Switchboard does not read: never "corrected" to a nearby
 * known key (`top_k` is not a typo of `top_p`).
 */
export const OTHER_LITELLM_KEYS: Record<string, readonly string[]> = {
  '': ['include', 'guardrails', 'credential_list', 'mcp_servers', 'files_settings', 'assistant_settings', 'finetune_settings', 'callback_settings'],
  'model_list[]': [],
  'model_list[].litellm_params': [
    'top_k', 'top_p', 'temperature', 'max_tokens', 'max_completion_tokens', 'stop', 'seed', 'input_cost_per_token',
    'output_cost_per_token', 'region_name', 'aws_profile_name', 'api_type',
    'base_model', 'mock_response', 'tags', 'merge_reasoning_content_in_choices', 'stream', 'n', 'user',
  ],
  router_settings: ['routing_strategy_args', 'content_policy_fallbacks', 'allowed_fails_policy', 'model_group_retry_policy', 'redis_host', 'redis_port', 'redis_password', 'redis_url', 'enable_pre_call_checks', 'provider_budget_config', 'disable_cooldowns'],
  general_settings: ['store_model_in_db', 'alerting', 'proxy_batch_write_at', 'database_connection_pool_limit', 'disable_spend_logs', 'background_health_checks', 'health_check_interval'],
  litellm_settings: ['set_verbose', 'json_logs', 'modify_params', 'num_retries', 'request_timeout', 'fallbacks', 'cache', 'cache_params', 'success_callback', 'failure_callback', 'callbacks'],
};
