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
import { IsJsonKind } from '../../common/validators.js';

export class ChatMessageDto {
  @IsIn(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
  role!: string;

  @IsJsonKind(['string', 'array', 'null'])
  content?: unknown;

  @IsOptional() @IsArray() tool_calls?: unknown[];
  @IsOptional() @IsString() tool_call_id?: string;
  @IsOptional() @IsString() name?: string;
}

export class ToolDto {
  @IsString() @IsNotEmpty() type!: string;
}

/**
 * The fields the gateway relies on; anything else in the body is passed upstream as sent.
 */
export class ChatCompletionRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  @IsOptional() @IsBoolean() stream?: boolean;
  @IsOptional() @IsObject() stream_options?: Record<string, unknown>;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ToolDto)
  tools?: ToolDto[];

  @IsOptional() @IsJsonKind(['string', 'object']) tool_choice?: unknown;
  @IsOptional() @IsNumber() temperature?: number;
  @IsOptional() @IsNumber() top_p?: number;
  @IsOptional() @IsInt() @Min(1) max_tokens?: number;
  @IsOptional() @IsInt() @Min(1) max_completion_tokens?: number;
  @IsOptional() @IsInt() @Min(1) n?: number;
  @IsOptional() @IsJsonKind(['string', 'array', 'null']) stop?: unknown;
}
