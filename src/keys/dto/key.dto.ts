import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const DURATION = /^\d{1,6}\s*(s|m|h|d|w|mo)$/;
const DURATION_RULE = { message: 'must be a duration such as 30s, 15m, 1h, 30d, 2w or 1mo' };
const LIMIT_MAX = 1_000_000_000;

/**
 * Fields of POST /key/generate (LiteLLM names). Strict like every admin DTO: an unknown field is a
 * 400, so a typo such as `rpm_limt` cannot silently create an unlimited key. In /key/update every
 * field is nullable, and null removes the setting.
 */
export class KeySettingsDto {
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(512, { each: true }) models?: string[] | null;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) max_budget?: number | null;
  @IsOptional() @IsString() @Matches(DURATION, DURATION_RULE) budget_duration?: string | null;
  @IsOptional() @IsInt() @Min(1) @Max(LIMIT_MAX) rpm_limit?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(LIMIT_MAX) tpm_limit?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(LIMIT_MAX) max_parallel_requests?: number | null;
  @IsOptional() @IsString() @Matches(DURATION, DURATION_RULE) duration?: string | null;
  @IsOptional() @IsString() @IsNotEmpty() @MaxLength(256) key_alias?: string | null;
  @IsOptional() @IsObject() metadata?: Record<string, unknown> | null;
}

export class GenerateKeyDto extends KeySettingsDto {}

export class UpdateKeyDto extends KeySettingsDto {
  /** The key (sk-…) or its token (SHA-256 hex, as shown by /key/info and /key/list). */
  @IsString() @IsNotEmpty() @MaxLength(512) key!: string;
}

export class DeleteKeysDto {
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(512, { each: true }) keys?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(256, { each: true }) key_aliases?: string[];
}
