/**
 * The store's tables, as Kysely sees them. Adding a feature (virtual keys, spend) means: a new
 * table interface here, one more entry in `Database`, and a new migration file registered in
 * migrations/index.ts — existing tables and code paths stay untouched.
 *
 * Portable column conventions, so one code path serves SQLite and PostgreSQL:
 * - booleans are INTEGER 0/1 (better-sqlite3 cannot bind JS booleans);
 * - timestamps are ISO-8601 TEXT in UTC (sortable, identical in both dialects);
 * - structured values are JSON TEXT (parsed in the repository, never in SQL).
 */
export interface ModelsTable {
  /** model_info.id */
  id: string;
  model_name: string;
  /** litellm_params as JSON, without api_key (which lives encrypted in api_key_enc). */
  litellm_params: string;
  /** AES-256-GCM sealed api_key (see secret-box.ts), or null when the model has none. */
  api_key_enc: string | null;
  /** model_info as JSON (includes id). */
  model_info: string;
  /** 1 = tombstone: hides a config-file model with the same id (only when file edits are allowed). */
  deleted: number;
  created_at: string;
  updated_at: string;
}

export interface AliasesTable {
  name: string;
  /** Target model group / alias; null for a tombstone. */
  target: string | null;
  hidden: number;
  /** 1 = tombstone: hides a config-file alias of the same name. */
  deleted: number;
  created_at: string;
  updated_at: string;
}

export interface Database {
  models: ModelsTable;
  aliases: AliasesTable;
}
