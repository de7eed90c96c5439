import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';
import { ToolDto } from '../../chat/dto/chat-completion-request.dto.js';
import { IsJsonKind } from '../../common/validators.js';

/** The Responses API fields the gateway relies on; the rest is passed through untouched. */
@ApiAdditionalProperties(true)
export class ResponseCreateRequestDto {
  @ApiProperty({ maxLength: 512, description: 'A model group or alias configured on the gateway.', example: 'gpt-4o' })
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  // Optional upstream too: a request may continue from previous_response_id or a stored prompt.
  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], description: 'Text, or an array of input items.' })
  @IsOptional()
  @IsJsonKind(['string', 'array'], { message: 'must be a string or an array of input items' })
  input?: unknown;

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object', additionalProperties: true } }], nullable: true })
  @IsOptional() @IsJsonKind(['string', 'array', 'null']) instructions?: unknown;
  @ApiPropertyOptional({ description: 'Answer as server-sent events (text/event-stream).' }) @IsOptional() @IsBoolean() stream?: boolean;

  @ApiPropertyOptional({ type: [ToolDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @ApiPropertyOptional({ oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }] }) @IsOptional() @IsJsonKind(['string', 'object']) tool_choice?: unknown;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() text?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) @IsOptional() @IsObject() reasoning?: Record<string, unknown>;
  @ApiPropertyOptional() @IsOptional() @IsNumber() temperature?: number;
  @ApiPropertyOptional() @IsOptional() @IsNumber() top_p?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) max_output_tokens?: number;
}
