import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** PUT /alias/{name}: the same fields as router_settings.model_group_alias entries. */
export class PutAliasDto {
  @IsString() @IsNotEmpty() @MaxLength(256) model!: string;
  @IsOptional() @IsBoolean() hidden?: boolean;
}
