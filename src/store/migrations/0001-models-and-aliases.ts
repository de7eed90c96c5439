import type { Kysely, Migration } from 'kysely';

/** Admin-managed models and aliases (issue 5). */
export const modelsAndAliases: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('models')
      .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('model_name', 'varchar(512)', (c) => c.notNull())
      .addColumn('litellm_params', 'text', (c) => c.notNull())
      .addColumn('api_key_enc', 'text')
      .addColumn('model_info', 'text', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('aliases')
      .addColumn('name', 'varchar(512)', (c) => c.primaryKey())
      .addColumn('target', 'varchar(512)')
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('aliases').execute();
    await db.schema.dropTable('models').execute();
  },
};
