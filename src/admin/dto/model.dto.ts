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
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';
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
@ApiAdditionalProperties(false)
export class AdminLitellmParamsDto {
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: NAME_MAX }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) custom_llm_provider?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: TEXT_MAX }) @IsOptional() @IsString() @MaxLength(TEXT_MAX) api_base?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: 8192 }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(8192) api_key?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) api_version?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: NAME_MAX }) @IsOptional() @IsString() @MaxLength(NAME_MAX) organization?: string;
  @ApiPropertyOptional({ nullable: true, type: 'object', additionalProperties: { type: 'string' } }) @IsOptional() @IsStringMap({ maxEntries: 32, maxKeyLength: 128, maxValueLength: 4096 }) extra_headers?: Record<string, string>;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0, maximum: 86_400 }) @IsOptional() @IsNumber() @Min(0) @Max(86_400) timeout?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0, maximum: 86_400 }) @IsOptional() @IsNumber() @Min(0) @Max(86_400) stream_timeout?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0, maximum: 100 }) @IsOptional() @IsInt() @Min(0) @Max(100) max_retries?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0 }) @IsOptional() @IsNumber() @Min(0) rpm?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0 }) @IsOptional() @IsNumber() @Min(0) tpm?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0 }) @IsOptional() @IsNumber() @Min(0) weight?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0 }) @IsOptional() @IsInt() @Min(0) order?: number;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() use_chat_completions_for_responses?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() drop_params?: boolean;
  // Default request parameters (routing/request-defaults.ts), as in a config file's litellm_params.
  @ApiPropertyOptional({ nullable: true, type: 'number' }) @IsOptional() @IsNumber() @Min(0) @Max(2) temperature?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number' }) @IsOptional() @IsNumber() @Min(0) @Max(1) top_p?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() @Min(1) top_k?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() @Min(1) @Max(128) n?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() seed?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number' }) @IsOptional() @IsNumber() @Min(-2) @Max(2) frequency_penalty?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number' }) @IsOptional() @IsNumber() @Min(-2) @Max(2) presence_penalty?: number;
  @ApiPropertyOptional({ nullable: true, oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }) @IsOptional() @Allow() stop?: string | string[];
  @ApiPropertyOptional({ nullable: true, type: 'object', additionalProperties: true }) @IsOptional() @IsObject() response_format?: Record<string, unknown>;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(64) reasoning_effort?: string;
  @ApiPropertyOptional({ nullable: true, type: 'object', additionalProperties: true }) @IsOptional() @IsObject() logit_bias?: Record<string, number>;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() logprobs?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() @Min(0) @Max(20) top_logprobs?: number;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() parallel_tool_calls?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(64) service_tier?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(64) verbosity?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(NAME_MAX) user?: string;
  @ApiPropertyOptional({ nullable: true, type: 'integer' }) @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @ApiPropertyOptional({ nullable: true, type: 'string', enum: ['float', 'base64'] }) @IsOptional() @IsIn(['float', 'base64']) encoding_format?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(NAME_MAX) vertex_project?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(64) vertex_location?: string;
  // bedrock (LiteLLM's names). The secret, session token and web identity token are sealed at rest and masked in answers.
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(256) aws_access_key_id?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(1024) aws_secret_access_key?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(8192) aws_session_token?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(64) aws_region_name?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$|^os\.environ\/\w+$/i, { message: 'must be an http(s) URL' }) aws_bedrock_runtime_endpoint?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(2048) aws_role_name?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(64) aws_session_name?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @Matches(/^https?:\/\/\S+$|^os\.environ\/\w+$/i, { message: 'must be an http(s) URL' }) aws_sts_endpoint?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @MaxLength(16_384) aws_web_identity_token?: string;
  /** A credentials file path, the service-account JSON text, or the JSON object (sealed at rest unless a path or os.environ/). */
  @ApiPropertyOptional({ nullable: true, oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }] })
  @IsOptional()
  @ValidateBy({
    name: 'isStringOrObject',
    validator: {
      validate: (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 16_384) || (typeof v === 'object' && v !== null && !Array.isArray(v)),
      defaultMessage: () => 'must be a file path, the service-account JSON text, or the JSON object',
    },
  })
  vertex_credentials?: string | Record<string, unknown>;
}

/** The model_info fields Switchboard keeps (LiteLLM names); others are rejected. */
@ApiAdditionalProperties(false)
export class AdminModelInfoDto {
  @ApiPropertyOptional({ nullable: true, type: 'string' }) @IsOptional() @IsString() @Matches(MODEL_ID_PATTERN, { message: MODEL_ID_RULE }) id?: string;
  @ApiPropertyOptional({ enum: ['chat', 'completion', 'embedding', 'responses', 'image_generation', 'audio_transcription', 'rerank'] })
  @IsOptional() @IsIn(['chat', 'completion', 'embedding', 'responses', 'image_generation', 'audio_transcription', 'rerank'])
  mode?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: NAME_MAX }) @IsOptional() @IsString() @MaxLength(NAME_MAX) base_model?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: TEXT_MAX }) @IsOptional() @IsString() @MaxLength(TEXT_MAX) description?: string;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0 }) @IsOptional() @IsInt() @Min(0) max_tokens?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0 }) @IsOptional() @IsInt() @Min(0) max_input_tokens?: number;
  @ApiPropertyOptional({ nullable: true, type: 'integer', minimum: 0 }) @IsOptional() @IsInt() @Min(0) max_output_tokens?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0 }) @IsOptional() @IsNumber() @Min(0) input_cost_per_token?: number;
  @ApiPropertyOptional({ nullable: true, type: 'number', minimum: 0 }) @IsOptional() @IsNumber() @Min(0) output_cost_per_token?: number;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() supports_function_calling?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() supports_vision?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() supports_reasoning?: boolean;

  // What GET /model/info adds to model_info. Accepted so that a model read, edited and sent back
  // whole is not refused; never stored (READ_ONLY_MODEL_INFO in model-admin.service.ts).
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() db_model?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) source?: string;
  @ApiPropertyOptional({ nullable: true, type: 'boolean' }) @IsOptional() @IsBoolean() editable?: boolean;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) created_at?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) updated_at?: string;
  @ApiPropertyOptional({ nullable: true, type: 'string', maxLength: TEXT_MAX }) @IsOptional() @IsString() @MaxLength(TEXT_MAX) misconfigured?: string;
}

/** POST /model/new */
@ApiAdditionalProperties(false)
export class NewModelDto {
  @ApiProperty({ type: 'string', maxLength: NAME_MAX }) @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model_name!: string;

  @ApiProperty({ type: () => AdminLitellmParamsDto })
  @IsObject() @ValidateNested() @Type(() => AdminLitellmParamsDto)
  litellm_params!: AdminLitellmParamsDto;

  @ApiPropertyOptional({ type: () => AdminModelInfoDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminModelInfoDto)
  model_info?: AdminModelInfoDto;
}

/** PATCH /model/{id}: every field optional, merged into the stored model. */
@ApiAdditionalProperties(false)
export class PatchModelDto {
  @ApiPropertyOptional({ type: 'string', maxLength: NAME_MAX }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model_name?: string;

  @ApiPropertyOptional({ type: () => AdminLitellmParamsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminLitellmParamsDto)
  litellm_params?: AdminLitellmParamsDto;

  @ApiPropertyOptional({ type: () => AdminModelInfoDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminModelInfoDto)
  model_info?: AdminModelInfoDto;
}

/** POST /model/update: LiteLLM's shape, the target named by model_info.id. */
@ApiAdditionalProperties(false)
export class UpdateModelDto {
  @ApiPropertyOptional({ type: 'string', maxLength: NAME_MAX }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(NAME_MAX) model_name?: string;

  @ApiPropertyOptional({ type: () => AdminLitellmParamsDto })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => AdminLitellmParamsDto)
  litellm_params?: AdminLitellmParamsDto;

  /** model_info.id is required here (checked by the service, which names the field). */
  @ApiProperty({ type: () => AdminModelInfoDto, description: 'model_info.id names the model to update.' })
  @IsObject() @ValidateNested() @Type(() => AdminModelInfoDto)
  model_info!: AdminModelInfoDto;
}

/** POST /model/delete */
@ApiAdditionalProperties(false)
export class DeleteModelDto {
  @ApiProperty({ type: 'string' }) @IsString() @Matches(MODEL_ID_PATTERN, { message: MODEL_ID_RULE }) id!: string;
}
