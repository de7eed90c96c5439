import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiAdditionalProperties } from '../../openapi/openapi.decorators.js';

/** PUT /alias/{name}: the same fields as router_settings.model_group_alias entries. */
@ApiAdditionalProperties(false)
export class PutAliasDto {
  @ApiProperty({ maxLength: 256, description: 'The model group the alias points to.' }) @IsString() @IsNotEmpty() @MaxLength(256) model!: string;
  @ApiPropertyOptional({ description: 'Left out of GET /v1/models, still callable.' }) @IsOptional() @IsBoolean() hidden?: boolean;
}
