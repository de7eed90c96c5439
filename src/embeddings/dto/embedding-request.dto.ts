import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsJsonKind } from '../../common/validators.js';

/** The embeddings fields the gateway relies on; anything else goes upstream as sent. */
export class EmbeddingRequestDto {
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  // A string, an array of strings, or token arrays; the upstream validates the finer shape.
  @IsJsonKind(['string', 'array'], { message: 'must be a string or an array' })
  @IsNotEmpty()
  input!: unknown;

  @IsOptional() @IsIn(['float', 'base64']) encoding_format?: string;
  @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @IsOptional() @IsString() user?: string;
}
