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
import { SqliteWriter } from './sqlite-writer.js';
import type { WriteStatement } from './sqlite-writer.js';
import type { Database } from './store.types.js';
import { describeConnectError, isTransientConnectError, StoreUnavailableError } from './store-unavailable.error.js';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The one persistence handle: a Kysely instance over SQLite (embedded, default) or PostgreSQL
 * (DATABASE_URL). Migrations run before the app starts serving; everything else goes through
 * repositories that only use Kysely's portable query builder, so there is one code path.
 */
@Injectable()
export class StoreService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Store');
  // A bad location is reported from ready() (app init), not the constructor: Nest aborts the
  // process on constructor errors, and callers of createApp must get a rejected promise instead.
  private readonly handle: { location: ResolvedStoreLocation; db: Kysely<Database> } | { error: Error };
  private migrated?: Promise<void>;
  /** Embedded SQLite in a file only: an in-memory database cannot be opened by a second connection. */
  private readonly writer?: SqliteWriter;
  private readonly connectTimeoutMs: number;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions, registry: ConfigRegistryService) {
    this.connectTimeoutMs = options.server?.storeConnectTimeoutMs ?? 0;
    try {
      const location = resolveStoreLocation(options.store, registry.config.general.databaseUrl);
      this.handle = { location, db: new Kysely<Database>({ dialect: createDialect(location, this.logger) }) };
      if (location.kind === 'sqlite' && location.file !== ':memory:') this.writer = new SqliteWriter(location.file);
    } catch (err) {
      this.handle = { error: err instanceof Error ? err : new Error(String(err)) };
    }
  }

  get location(): ResolvedStoreLocation {
    if ('error' in this.handle) throw this.handle.error;
    return this.handle.location;
  }

  /** The Kysely instance every repository queries through. */
  get db(): Kysely<Database> {
    if ('error' in this.handle) throw this.handle.error;
    return this.handle.db;
  }

  get dialect(): StoreDialect {
    return this.location.kind;
  }

  async onModuleInit(): Promise<void> {
    await this.ready();
  }

  /** Resolves once migrations are applied; every repository awaits it before its first query. */
  ready(): Promise<void> {
    this.migrated ??= 'error' in this.handle ? Promise.reject(this.handle.error) : this.migrate();
    return this.migrated;
  }

  /** For /health/readiness: resolves when the store answers a trivial query, rejects otherwise. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /**
   * True when writes can run off the event loop (embedded SQLite in a file, see SqliteWriter).
   * PostgreSQL is asynchronous already, and in-memory SQLite has a single connection: callers
   * then write through db.
   */
  get canWriteOffThread(): boolean {
    return this.writer !== undefined;
  }

  /** Runs statements compiled with Kysely in one transaction on the writer thread. */
  async writeOffThread(statements: readonly WriteStatement[]): Promise<void> {
    if (!this.writer) throw new Error('no off-thread writer for this store');
    await this.ready();
    await this.writer.transaction(statements);
  }

  async onModuleDestroy(): Promise<void> {
    await this.writer?.close();
    if (!('error' in this.handle)) await this.handle.db.destroy();
  }

  private async migrate(): Promise<void> {
    if (this.location.kind === 'postgres') await this.waitUntilReachable();
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

  /**
   * A database often comes up after the gateway's pod: retry with backoff (0.5 s doubling to 5 s)
   * for storeConnectTimeoutMs, saying so once, then give up with one line naming the store.
   */
  private async waitUntilReachable(): Promise<void> {
    const deadline = Date.now() + this.connectTimeoutMs;
    let delay = 500;
    let warned = false;
    for (;;) {
      try {
        await sql`select 1`.execute(this.db);
        if (warned) this.logger.log(`store ${this.location.display} reachable`);
        return;
      } catch (err) {
        const cause = describeConnectError(err);
        const left = deadline - Date.now();
        if (!isTransientConnectError(err) || left <= 0) {
          const waited = this.connectTimeoutMs > 0 && isTransientConnectError(err) ? ` (gave up after ${Math.round(this.connectTimeoutMs / 1000)} s)` : '';
          throw new StoreUnavailableError(`store ${this.location.display} unreachable: ${cause}${waited}`, { cause: err });
        }
        if (!warned) {
          this.logger.warn(`store ${this.location.display} unreachable (${cause}); retrying for up to ${Math.round(this.connectTimeoutMs / 1000)} s`);
          warned = true;
        }
        await new Promise((r) => setTimeout(r, Math.min(delay, left)));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}

function createDialect(location: ResolvedStoreLocation, logger: Logger) {
  if (location.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: location.url, max: 10 });
    // An idle connection dropped by the server (restart, failover) must not crash the gateway;
    // the pool replaces it and readiness reports the store until it answers again.
    pool.on('error', (err) => logger.warn(`idle PostgreSQL connection lost: ${err.message}`));
    return new PostgresDialect({ pool });
  }
  if (location.file !== ':memory:') mkdirSync(dirname(location.file), { recursive: true });
  const database = new SqliteDatabase(location.file);
  // WAL lets readers continue while a write commits; the busy timeout covers a second process on the same file.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database });
}
