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

export class AnthropicMessageDto {
  @IsIn(['user', 'assistant'])
  role!: string;

  @IsJsonKind(['string', 'array'])
  content!: unknown;
}

/**
 * The fields of an Anthropic Messages body the gateway relies on, with the types the Anthropic
 * API requires. Everything else (cache_control, server tools, container, service_tier, new
 * fields) is passed on as sent: a native deployment gets the body untouched except `model`.
 */
export class CountTokensRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => AnthropicMessageDto)
  messages!: AnthropicMessageDto[];

  @IsOptional() @IsJsonKind(['string', 'array']) system?: unknown;
  @IsOptional() @IsArray() tools?: unknown[];
  @IsOptional() @IsObject() tool_choice?: Record<string, unknown>;
  @IsOptional() @IsObject() thinking?: Record<string, unknown>;
}

export class MessagesRequestDto extends CountTokensRequestDto {
  @IsInt() @Min(1) max_tokens!: number;
  @IsOptional() @IsBoolean() stream?: boolean;
  @IsOptional() @IsArray() @IsString({ each: true }) stop_sequences?: string[];
  @IsOptional() @IsNumber() temperature?: number;
  @IsOptional() @IsNumber() top_p?: number;
  @IsOptional() @IsInt() top_k?: number;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
}
