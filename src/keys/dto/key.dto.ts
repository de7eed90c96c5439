import { ArrayMaxSize, IsArray, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';

const DURATION = /^\d{1,6}\s*(s|m|h|d|w|mo)$/;
const DURATION_RULE = { message: 'must be a duration such as 30s, 15m, 1h, 30d, 2w or 1mo' };
const LIMIT_MAX = 1_000_000_000;

/**
 * Fields of POST /key/generate (LiteLLM names). Strict like every admin DTO: an unknown field is a
 * 400, so a typo such as `rpm_limt` cannot silently create an unlimited key. In /key/update every
 * field is nullable, and null removes the setting.
 */
@ApiAdditionalProperties(false)
export class KeySettingsDto {
  @ApiPropertyOptional({ type: [String], nullable: true, maxItems: 1000, description: 'Model groups, aliases or wildcard patterns the key may use; empty or absent means all.' })
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(512, { each: true }) models?: string[] | null;
  @ApiPropertyOptional({ type: 'number', minimum: 0, nullable: true, description: 'Spend limit in USD per budget period.' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) max_budget?: number | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, pattern: DURATION.source, example: '30d', description: 'Budget period; the spend resets after it.' })
  @IsOptional() @IsString() @Matches(DURATION, DURATION_RULE) budget_duration?: string | null;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: LIMIT_MAX, nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(LIMIT_MAX) rpm_limit?: number | null;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: LIMIT_MAX, nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(LIMIT_MAX) tpm_limit?: number | null;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: LIMIT_MAX, nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(LIMIT_MAX) max_parallel_requests?: number | null;
  @ApiPropertyOptional({ type: 'string', nullable: true, pattern: DURATION.source, example: '30d', description: 'The key expires this long after it is created.' })
  @IsOptional() @IsString() @Matches(DURATION, DURATION_RULE) duration?: string | null;
  @ApiPropertyOptional({ type: 'string', maxLength: 256, nullable: true }) @IsOptional() @IsString() @IsNotEmpty() @MaxLength(256) key_alias?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) @IsOptional() @IsObject() metadata?: Record<string, unknown> | null;
}

@ApiAdditionalProperties(false)
export class GenerateKeyDto extends KeySettingsDto {}

@ApiAdditionalProperties(false)
export class UpdateKeyDto extends KeySettingsDto {
  /** The key (sk-…) or its token (SHA-256 hex, as shown by /key/info and /key/list). */
  @ApiProperty({ type: 'string', maxLength: 512 }) @IsString() @IsNotEmpty() @MaxLength(512) key!: string;
}

@ApiAdditionalProperties(false)
export class DeleteKeysDto {
  @ApiPropertyOptional({ type: [String], maxItems: 1000, description: 'Keys (sk-…) or their tokens.' })
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(512, { each: true }) keys?: string[];
  @ApiPropertyOptional({ type: [String], maxItems: 1000 })
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsString({ each: true }) @IsNotEmpty({ each: true }) @MaxLength(256, { each: true }) key_aliases?: string[];
}
