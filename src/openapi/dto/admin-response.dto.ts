import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** Mirrors KeyView (src/keys/key-view.ts): the e2e compares a real answer with it. */
@ApiSchema({ name: 'KeyInfo', description: 'A virtual key as admin answers show it: its token and a masked name, never the key.' })
export class KeyViewDto {
  @ApiProperty({ description: 'SHA-256 hex of the key; names it in /key/info, /key/update, /key/delete and spend logs.' }) token!: string;
  @ApiProperty({ example: 'sk-...a1b2' }) key_name!: string;
  @ApiProperty({ type: String, nullable: true }) key_alias!: string | null;
  @ApiProperty({ type: [String] }) models!: string[];
  @ApiProperty({ type: Number, nullable: true }) max_budget!: number | null;
  @ApiProperty({ type: String, nullable: true }) budget_duration!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) budget_reset_at!: string | null;
  @ApiProperty({ description: 'USD in the current budget period.' }) spend!: number;
  @ApiProperty({ description: 'USD since the key was created.' }) total_spend!: number;
  @ApiProperty({ type: 'integer', nullable: true }) rpm_limit!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) tpm_limit!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) max_parallel_requests!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) expires!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

@ApiSchema({ name: 'GeneratedKey', description: 'The only answer that ever contains the key itself.' })
export class GeneratedKeyDto extends KeyViewDto {
  @ApiProperty({ example: 'sk-…' }) key!: string;
}

@ApiSchema({ name: 'KeyInfoAnswer' })
export class KeyInfoAnswerDto {
  @ApiProperty({ description: 'The token.' }) key!: string;
  @ApiProperty({ type: KeyViewDto }) info!: KeyViewDto;
}

@ApiSchema({ name: 'KeysDeleted' })
export class KeysDeletedDto {
  @ApiProperty({ type: [String], description: 'Tokens of the revoked keys.' }) deleted_keys!: string[];
}

@ApiSchema({ name: 'KeyList' })
export class KeyListDto {
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'array', items: { $ref: '#/components/schemas/KeyInfo' } }], description: 'Tokens, or whole keys with return_full_object=true.' })
  keys!: unknown[];
  @ApiProperty({ type: 'integer' }) total_count!: number;
  @ApiProperty({ type: 'integer' }) current_page!: number;
  @ApiProperty({ type: 'integer' }) total_pages!: number;
}

/** Mirrors SpendLogView (src/spend/spend-logs.service.ts). */
@ApiSchema({ name: 'SpendLog' })
export class SpendLogDto {
  @ApiProperty() request_id!: string;
  @ApiProperty({ example: 'chat' }) call_type!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Token of the virtual key; null for the master key.' }) api_key!: string | null;
  @ApiProperty({ description: 'USD.' }) spend!: number;
  @ApiProperty({ type: 'integer' }) prompt_tokens!: number;
  @ApiProperty({ type: 'integer' }) completion_tokens!: number;
  @ApiProperty({ type: 'integer' }) total_tokens!: number;
  @ApiProperty() usage_source!: string;
  @ApiProperty({ description: 'The name the client sent.' }) model!: string;
  @ApiProperty() model_group!: string;
  @ApiProperty() model_id!: string;
  @ApiProperty() custom_llm_provider!: string;
  @ApiProperty() upstream_model!: string;
  @ApiProperty() stream!: boolean;
  @ApiProperty({ format: 'date-time' }) startTime!: string;
  @ApiProperty({ format: 'date-time' }) endTime!: string;
}

@ApiSchema({ name: 'SpendLogPage' })
export class SpendLogPageDto {
  @ApiProperty({ type: [SpendLogDto] }) data!: SpendLogDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) page!: number;
  @ApiProperty({ type: 'integer' }) page_size!: number;
  @ApiProperty({ type: 'integer' }) total_pages!: number;
}

@ApiSchema({ name: 'Status' })
export class StatusDto {
  @ApiProperty({ example: 'ok' }) status!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: 'Readiness: each check by name.' })
  checks?: Record<string, string>;
}
