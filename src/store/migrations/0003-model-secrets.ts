import type { Kysely, Migration } from 'kysely';

/**
 * Sealed credentials of a stored model besides its api_key: an api_base password and
 * credential-like extra_headers. Only a nullable column is added; rows written before it keep
 * those values in litellm_params and are read as before (a later write seals them).
 */
export const modelSecrets: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('models').addColumn('secrets_enc', 'text').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('models').dropColumn('secrets_enc').execute();
  },
};
