import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { GATEWAY_OPTIONS } from '../config/gateway-options.js';
import type { GatewayOptions } from '../config/gateway-options.js';
import { migrationProvider } from './migrations/index.js';
import { ResolvedStoreLocation, resolveStoreLocation } from './store-location.js';
import type { Database } from './store.types.js';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The one persistence handle: a Kysely instance over SQLite (embedded, default) or PostgreSQL
 * (DATABASE_URL). Migrations run before the app starts serving; everything else goes through
 * repositories that only use Kysely's portable query builder, so there is one code path.
 */
@Injectable()
export class StoreService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Store');
  readonly location: ResolvedStoreLocation;
  readonly db: Kysely<Database>;
  private migrated?: Promise<void>;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions, registry: ConfigRegistryService) {
    this.location = resolveStoreLocation(options.store, registry.config.general.databaseUrl);
    this.db = new Kysely<Database>({ dialect: createDialect(this.location) });
  }

  get dialect(): StoreDialect {
    return this.location.kind;
  }

  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  /** Resolves once migrations are applied; every repository awaits it before its first query. */
  ready(): Promise<void> {
    this.migrated ??= this.migrate();
    return this.migrated;
  }

  /** For /health/readiness: resolves when the store answers a trivial query, rejects otherwise. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async onModuleDestroy(): Promise<void> {
    await this.db.destroy();
  }

  private async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrationProvider });
    const { error, results } = await migrator.migrateToLatest();
    for (const r of results ?? []) {
      if (r.status === 'Success') this.logger.log(`applied migration ${r.migrationName}`);
      if (r.status === 'Error') this.logger.error(`migration ${r.migrationName} failed`);
    }
    if (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`store ${this.location.display}: ${reason}`, { cause: error });
    }
    this.logger.log(`store ready: ${this.location.kind} ${this.location.display}`);
  }
}

function createDialect(location: ResolvedStoreLocation) {
  if (location.kind === 'postgres') {
    return new PostgresDialect({ pool: new pg.Pool({ connectionString: location.url, max: 10 }) });
  }
  if (location.file !== ':memory:') mkdirSync(dirname(location.file), { recursive: true });
  const database = new SqliteDatabase(location.file);
  // WAL lets readers continue while a write commits; the busy timeout covers a second process on the same file.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database });
}
