import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';
import { IsJsonKind } from '../../common/validators.js';

@ApiAdditionalProperties(true)
export class AnthropicMessageDto {
  @ApiProperty({ enum: ['user', 'assistant'] })
  @IsIn(['user', 'assistant'])
  role!: string;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], description: 'Text, or an array of content blocks.' })
  @IsJsonKind(['string', 'array'])
  content!: unknown;
}

/**
 * The fields of an Anthropic Messages body the gateway relies on, with the types the Anthropic
 * API requires. Everything else (cache_control, server tools, container, service_tier, new
 * fields) is passed on as sent: a native deployment gets the body untouched except `model`.
 */
@ApiAdditionalProperties(true)
export class CountTokensRequestDto {
  @ApiProperty({ maxLength: 512, description: 'A model group or alias configured on the gateway.', example: 'claude-sonnet' })
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  @ApiProperty({ type: [AnthropicMessageDto], minItems: 1, maxItems: 100_000 })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => AnthropicMessageDto)
  messages!: AnthropicMessageDto[];

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }] })
  @IsOptional() @IsJsonKind(['string', 'array']) system?: unknown;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } }) @IsOptional() @IsArray() tools?: unknown[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() tool_choice?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() thinking?: Record<string, unknown>;
}

@ApiAdditionalProperties(true)
export class MessagesRequestDto extends CountTokensRequestDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) @IsInt() @Min(1) max_tokens!: number;
  @ApiPropertyOptional({ description: 'Answer as server-sent events (text/event-stream).' }) @IsOptional() @IsBoolean() stream?: boolean;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) stop_sequences?: string[];
  @ApiPropertyOptional() @IsOptional() @IsNumber() temperature?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() top_p?: number;
  @ApiPropertyOptional({ type: 'integer' }) @IsOptional() @IsInt() top_k?: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() metadata?: Record<string, unknown>;
}
