import type { Migration, MigrationProvider } from 'kysely';
import { modelsAndAliases } from './0001-models-and-aliases.js';
import { keysAndSpend } from './0002-keys-and-spend.js';
import { modelSecrets } from './0003-model-secrets.js';

/**
 * Every migration, in order. Names are sorted by Kysely and recorded in `kysely_migration`;
 * never rename or edit a released one — add the next number instead (e.g. '0002-virtual-keys').
 * Registered statically (not read from a folder) so the same list works from src/ under Jest and
 * from dist/ in production.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-models-and-aliases': modelsAndAliases,
  '0002-keys-and-spend': keysAndSpend,
  '0003-model-secrets': modelSecrets,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => ({ ...MIGRATIONS }),
};
