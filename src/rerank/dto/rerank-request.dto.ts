import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';

/**
 * A rerank request in Cohere's shape, as LiteLLM's /rerank takes it. Documents are strings or
 * `{ text }` objects (checked one by one by the service, which names the bad index); anything
 * else in the body is passed to the provider as sent.
 */
export class RerankRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;
  @IsString() @IsNotEmpty() query!: string;
  // Cohere's own limit per request.
  @IsArray() @ArrayNotEmpty() @ArrayMaxSize(10_000) documents!: unknown[];
  @IsOptional() @IsInt() @Min(1) top_n?: number;
  @IsOptional() @IsBoolean() return_documents?: boolean;
  @IsOptional() @IsInt() @Min(1) max_tokens_per_doc?: number;
}
