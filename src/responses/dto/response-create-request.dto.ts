import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { ToolDto } from '../../chat/dto/chat-completion-request.dto.js';
import { IsJsonKind } from '../../common/validators.js';

/** The Responses API fields the gateway relies on; the rest is passed through untouched. */
export class ResponseCreateRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  // Optional upstream too: a request may continue from previous_response_id or a stored prompt.
  @IsOptional()
  @IsJsonKind(['string', 'array'], { message: 'must be a string or an array of input items' })
  input?: unknown;

  @IsOptional() @IsJsonKind(['string', 'array', 'null']) instructions?: unknown;
  @IsOptional() @IsBoolean() stream?: boolean;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @IsOptional() @IsJsonKind(['string', 'object']) tool_choice?: unknown;
  @IsOptional() @IsObject() text?: Record<string, unknown>;
  @IsOptional() @IsObject() reasoning?: Record<string, unknown>;
  @IsOptional() @IsNumber() temperature?: number;
  @IsOptional() @IsNumber() top_p?: number;
  @IsOptional() @IsInt() @Min(1) max_output_tokens?: number;
}
