import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';
import { IsJsonKind } from '../../common/validators.js';

/** The embeddings fields the gateway relies on; anything else goes upstream as sent. */
@ApiAdditionalProperties(true)
export class EmbeddingRequestDto {
  @ApiProperty({ maxLength: 512, description: 'A model group or alias configured on the gateway.', example: 'text-embedding-3-small' })
  @IsString() @IsNotEmpty() @MaxLength(512) model!: string;

  // A string, an array of strings, or token arrays; the upstream validates the finer shape.
  @ApiProperty({
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      { type: 'array', items: { type: 'integer' } },
      { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
    ],
    description: 'Text, texts, or token arrays.',
  })
  @IsJsonKind(['string', 'array'], { message: 'must be a string or an array' })
  @IsNotEmpty()
  input!: unknown;

  @ApiPropertyOptional({ enum: ['float', 'base64'] }) @IsOptional() @IsIn(['float', 'base64']) encoding_format?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1 }) @IsOptional() @IsInt() @Min(1) dimensions?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() user?: string;
}
