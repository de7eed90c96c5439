import { Injectable } from '@nestjs/common';
import { StoreService } from './store.service.js';

export interface StoredAlias {
  readonly name: string;
  /** Undefined for a tombstone. */
  readonly target?: string;
  readonly hidden: boolean;
  /** A tombstone hiding the config-file alias of this name. */
  readonly deleted: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type StoredAliasInput = Omit<StoredAlias, 'createdAt' | 'updatedAt'>;

@Injectable()
export class AliasesRepository {
  constructor(private readonly store: StoreService) {}

  async list(): Promise<StoredAlias[]> {
    await this.store.ready();
    const rows = await this.store.db.selectFrom('aliases').selectAll().orderBy('name').execute();
    return rows.map((r) => ({
      name: r.name,
      target: r.target ?? undefined,
      hidden: r.hidden === 1,
      deleted: r.deleted === 1,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async upsert(alias: StoredAliasInput): Promise<void> {
    await this.store.ready();
    const now = new Date().toISOString();
    const values = { target: alias.target ?? null, hidden: alias.hidden ? 1 : 0, deleted: alias.deleted ? 1 : 0, updated_at: now };
    await this.store.db
      .insertInto('aliases')
      .values({ name: alias.name, created_at: now, ...values })
      .onConflict((oc) => oc.column('name').doUpdateSet(values))
      .execute();
  }

  async delete(name: string): Promise<boolean> {
    await this.store.ready();
    const result = await this.store.db.deleteFrom('aliases').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
