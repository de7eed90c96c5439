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
  /**
   * litellm_params as JSON, without api_key (which lives encrypted in api_key_enc) and without the
   * values sealed in secrets_enc (api_base then holds its masked form).
   */
  litellm_params: string;
  /** AES-256-GCM sealed api_key (see secret-box.ts), or null when the model has none. */
  api_key_enc: string | null;
  /**
   * Sealed JSON of the other credentials (an api_base with a password, credential-like
   * extra_headers; see model-secrets.ts), or null. Rows older than this column have null here
   * and those values, if any, still in litellm_params.
   */
  secrets_enc: string | null;
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

/** Virtual keys (issue 6): `token` is the SHA-256 hex of the key; the key itself is never stored. */
export interface VirtualKeysTable {
  token: string;
  /** Masked form shown in admin output, e.g. `sk-...a1b2`. */
  key_name: string;
  key_alias: string | null;
  /** JSON array of allowed model names / patterns; [] = all. */
  models: string;
  max_budget: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  /** Spend in the current budget period (reset with budget_duration). */
  spend: number;
  /** Lifetime spend. */
  total_spend: number;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  expires: string | null;
  /** JSON object. */
  metadata: string;
  created_at: string;
  updated_at: string;
}

/** One row per completed inference request (written in batches, off the request path). */
export interface SpendLogsTable {
  id: string;
  request_id: string;
  /** virtual_keys.token, or null for the master key / an open gateway. */
  api_key: string | null;
  call_type: string;
  model: string;
  model_group: string;
  model_id: string;
  provider: string;
  upstream_model: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** 'upstream' when the provider reported usage, 'estimated' when tokens were counted. */
  usage_source: string;
  spend: number;
  stream: number;
  start_time: string;
  end_time: string;
}

export interface Database {
  models: ModelsTable;
  aliases: AliasesTable;
  virtual_keys: VirtualKeysTable;
  spend_logs: SpendLogsTable;
}
