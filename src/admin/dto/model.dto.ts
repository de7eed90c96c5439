import { Type } from 'class-transformer';
import {
  Allow,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsStringMap } from './string-map.validator.js';

/** New model ids travel in URLs (PATCH /model/{id}) and logs: a conservative alphabet. */
export const NEW_MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
export const NEW_MODEL_ID_RULE = 'must be 1-128 characters of letters, digits and . _ : @ - (starting with a letter or digit)';
/** Ids that look up an existing model may come from the config file, so only printable text is required. */
export const MODEL_ID_PATTERN = /^[^\x00-\x1f\x7f]{1,256}$/;
export const MODEL_ID_RULE = 'must be 1-256 printable characters';
const NAME_MAX = 256;
const TEXT_MAX = 2048;

/**
 * litellm_params accepted over REST. Strict: a field not listed here is rejected with 400 (a typo
 * such as `api_bsae` must not be silently stored). Values are nullable in updates, where null
 * removes the field.
 */
export class AdminLitellmParamsDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model?: string;
  @IsOptional() @IsString() @MaxLength(64) custom_llm_provider?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) api_base?: string;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(8192) api_key?: string;
  @IsOptional() @IsString() @MaxLength(64) api_version?: string;
  @IsOptional() @IsString() @MaxLength(NAME_MAX) organization?: string;
  @IsOptional() @IsStringMap({ maxEntries: 32, maxKeyLength: 128, maxValueLength: 4096 }) extra_headers?: Record<string, string>;
  @IsOptional() @IsNumber() @Min(0) @Max(86_400) timeout?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(86_400) stream_timeout?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100) max_retries?: number;
  @IsOptional() @IsNumber() @Min(0) rpm?: number;
  @IsOptional() @IsNumber() @Min(0) tpm?: number;
  @IsOptional() @IsNumber() @Min(0) weight?: number;
  @IsOptional() @IsInt() @Min(0) order?: number;
  @IsOptional() @IsBoolean() use_chat_completions_for_responses?: boolean;
  @IsOptional() @IsBoolean() drop_params?: boolean;
  // Default request parameters (routing/request-defaults.ts), as in a config file's litellm_params.
  @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1) top_p?: number;
  @IsOptional() @IsInt() @Min(1) top_k?: number;
  @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number;
  @IsOptional() @IsInt() @Min(1) @Max(128) n?: number;
  @IsOptional() @IsInt() seed?: number;
  @IsOptional() @IsNumber() @Min(-2) @Max(2) frequency_penalty?: number;
  @IsOptional() @IsNumber() @Min(-2) @Max(2) presence_penalty?: number;
  @IsOptional() @Allow() stop?: string | string[];
  @IsOptional() @IsObject() response_format?: Record<string, unknown>;
  @IsOptional() @IsString() @MaxLength(64) reasoning_effort?: string;
  @IsOptional() @IsObject() logit_bias?: Record<string, number>;
  @IsOptional() @IsBoolean() logprobs?: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(20) top_logprobs?: number;
  @IsOptional() @IsBoolean() parallel_tool_calls?: boolean;
  @IsOptional() @IsString() @MaxLength(64) service_tier?: string;
  @IsOptional() @IsString() @MaxLength(64) verbosity?: string;
  @IsOptional() @IsString() @MaxLength(NAME_MAX) user?: string;
  @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @IsOptional() @IsIn(['float', 'base64']) encoding_format?: string;
}

/** The model_info fields Switchboard keeps (LiteLLM names); others are rejected. */
export class AdminModelInfoDto {
  @IsOptional() @IsString() @Matches(MODEL_ID_PATTERN, { message: MODEL_ID_RULE }) id?: string;
  @IsOptional() @IsIn(['chat', 'completion', 'embedding', 'responses', 'image_generation', 'audio_transcription', 'rerank'])
  mode?: string;
  @IsOptional() @IsString() @MaxLength(NAME_MAX) base_model?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) description?: string;
  @IsOptional() @IsInt() @Min(0) max_tokens?: number;
  @IsOptional() @IsInt() @Min(0) max_input_tokens?: number;
  @IsOptional() @IsInt() @Min(0) max_output_tokens?: number;
  @IsOptional() @IsNumber() @Min(0) input_cost_per_token?: number;
  @IsOptional() @IsNumber() @Min(0) output_cost_per_token?: number;
  @IsOptional() @IsBoolean() supports_function_calling?: boolean;
  @IsOptional() @IsBoolean() supports_vision?: boolean;
  @IsOptional() @IsBoolean() supports_reasoning?: boolean;

  // What GET /model/info adds to model_info. Accepted so that a model read, edited and sent back
  // whole is not refused; never stored (READ_ONLY_MODEL_INFO in model-admin.service.ts).
  @IsOptional() @IsBoolean() db_model?: boolean;
  @IsOptional() @IsString() @MaxLength(64) source?: string;
  @IsOptional() @IsBoolean() editable?: boolean;
  @IsOptional() @IsString() @MaxLength(64) created_at?: string;
  @IsOptional() @IsString() @MaxLength(64) updated_at?: string;
  @IsOptional() @IsString() @MaxLength(TEXT_MAX) misconfigured?: string;
}

/** POST /model/new */
export class NewModelDto {
  @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model_name!: string;

  @IsObject() @ValidateNested() @Type(() => AdminLitellmParamsDto)
  litellm_params!: AdminLitellmParamsDto;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminModelInfoDto)
  model_info?: AdminModelInfoDto;
}

/** PATCH /model/{id}: every field optional, merged into the stored model. */
export class PatchModelDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model_name?: string;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminLitellmParamsDto)
  litellm_params?: AdminLitellmParamsDto;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminModelInfoDto)
  model_info?: AdminModelInfoDto;
}

/** POST /model/update: LiteLLM's shape, the target named by model_info.id. */
export class UpdateModelDto {
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model_name?: string;

  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminLitellmParamsDto)
  litellm_params?: AdminLitellmParamsDto;

  /** model_info.id is required here (checked by the service, which names the field). */
  @IsObject() @ValidateNested() @Type(() => AdminModelInfoDto)
  model_info!: AdminModelInfoDto;
}

/** POST /model/delete */
export class DeleteModelDto {
  @IsString() @Matches(MODEL_ID_PATTERN, { message: MODEL_ID_RULE }) id!: string;
}
