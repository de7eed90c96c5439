import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';

/**
 * A rerank request in Cohere's shape, as LiteLLM's /rerank takes it. Documents are strings or
 * `{ text }` objects (checked one by one by the service, which names the bad index); anything
 * else in the body is passed to the provider as sent.
 */
@ApiAdditionalProperties(true)
export class RerankRequestDto {
  @ApiProperty({ maxLength: 512, description: 'A model group or alias configured on the gateway.', example: 'rerank-v3.5' })
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  @ApiProperty({ description: 'The search query the documents are ranked against.' })
  @IsString() @IsNotEmpty() query!: string;

  // Cohere's own limit per request.
  @ApiProperty({
    type: 'array',
    maxItems: 10_000,
    items: { oneOf: [{ type: 'string' }, { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }] },
    description: 'Strings, or objects with a `text` field.',
  })
  @IsArray() @ArrayNotEmpty() @ArrayMaxSize(10_000) documents!: unknown[];

  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) top_n?: number;
  @ApiPropertyOptional({ description: 'Default true: each result carries its document.' }) @IsOptional() @IsBoolean() return_documents?: boolean;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) max_tokens_per_doc?: number;
}
