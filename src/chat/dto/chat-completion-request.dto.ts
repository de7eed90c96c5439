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
export class ChatMessageDto {
  @ApiProperty({ enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] })
  @IsIn(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
  role!: string;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], nullable: true, description: 'Text, or an array of content parts.' })
  @IsJsonKind(['string', 'array', 'null'])
  content?: unknown;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } }) @IsOptional() @IsArray() tool_calls?: unknown[];
  @ApiPropertyOptional() @IsOptional() @IsString() tool_call_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() name?: string;
}

@ApiAdditionalProperties(true)
export class ToolDto {
  @ApiProperty({ example: 'function' }) @IsString() @IsNotEmpty() type!: string;
}

/**
 * The fields the gateway relies on; anything else in the body is passed upstream as sent.
 */
@ApiAdditionalProperties(true)
export class ChatCompletionRequestDto {
  @ApiProperty({ maxLength: 512, description: 'A model group or alias configured on the gateway.', example: 'gpt-4o' })
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  @ApiProperty({ type: [ChatMessageDto], minItems: 1, maxItems: 100_000 })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @ApiPropertyOptional({ description: 'Answer as server-sent events (text/event-stream).' }) @IsOptional() @IsBoolean() stream?: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() stream_options?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [ToolDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }] }) @IsOptional() @IsJsonKind(['string', 'object']) tool_choice?: unknown;
  @ApiPropertyOptional() @IsOptional() @IsNumber() temperature?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() top_p?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) n?: number;
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], nullable: true }) @IsOptional() @IsJsonKind(['string', 'array', 'null']) stop?: unknown;
}
