import type { Kysely, Migration } from 'kysely';

/** Virtual keys and their spend (issue 6). Only a SHA-256 of each key is stored, never the key. */
export const keysAndSpend: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('virtual_keys')
      .addColumn('token', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('key_name', 'varchar(32)', (c) => c.notNull())
      .addColumn('key_alias', 'varchar(256)')
      .addColumn('models', 'text', (c) => c.notNull())
      .addColumn('max_budget', 'double precision')
      .addColumn('budget_duration', 'varchar(32)')
      .addColumn('budget_reset_at', 'varchar(32)')
      .addColumn('spend', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('total_spend', 'double precision', (c) => c.notNull().defaultTo(0))
      .addColumn('rpm_limit', 'integer')
      .addColumn('tpm_limit', 'integer')
      .addColumn('max_parallel_requests', 'integer')
      .addColumn('expires', 'varchar(32)')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('virtual_keys_alias').on('virtual_keys').column('key_alias').execute();
    await db.schema
      .createTable('spend_logs')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      // x-request-id may come from the client, so it is not unique: a generated id is the key.
      .addColumn('request_id', 'varchar(128)', (c) => c.notNull())
      .addColumn('api_key', 'varchar(64)')
      .addColumn('call_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('model', 'varchar(512)', (c) => c.notNull())
      .addColumn('model_group', 'varchar(512)', (c) => c.notNull())
      .addColumn('model_id', 'varchar(128)', (c) => c.notNull())
      .addColumn('provider', 'varchar(64)', (c) => c.notNull())
      .addColumn('upstream_model', 'varchar(512)', (c) => c.notNull())
      .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
      .addColumn('completion_tokens', 'integer', (c) => c.notNull())
      .addColumn('total_tokens', 'integer', (c) => c.notNull())
      .addColumn('usage_source', 'varchar(16)', (c) => c.notNull())
      .addColumn('spend', 'double precision', (c) => c.notNull())
      .addColumn('stream', 'integer', (c) => c.notNull())
      .addColumn('start_time', 'varchar(32)', (c) => c.notNull())
      .addColumn('end_time', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('spend_logs_key_time').on('spend_logs').columns(['api_key', 'start_time']).execute();
    await db.schema.createIndex('spend_logs_time').on('spend_logs').column('start_time').execute();
    await db.schema.createIndex('spend_logs_request').on('spend_logs').column('request_id').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('spend_logs').execute();
    await db.schema.dropTable('virtual_keys').execute();
  },
};
