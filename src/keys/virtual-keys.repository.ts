import { Injectable } from '@nestjs/common';
import { StoreService } from '../store/store.service.js';
import type { VirtualKeysTable } from '../store/store.types.js';
import type { VirtualKey } from './virtual-key.js';

/** virtual_keys rows ↔ VirtualKey. Spend columns are only ever changed by increments or a conditional reset. */
@Injectable()
export class VirtualKeysRepository {
  constructor(private readonly store: StoreService) {}

  async list(): Promise<VirtualKey[]> {
    await this.store.ready();
    const rows = await this.store.db.selectFrom('virtual_keys').selectAll().orderBy('created_at').orderBy('token').execute();
    return rows.map(fromRow);
  }

  async get(token: string): Promise<VirtualKey | undefined> {
    await this.store.ready();
    const row = await this.store.db.selectFrom('virtual_keys').selectAll().where('token', '=', token).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async getMany(tokens: readonly string[]): Promise<VirtualKey[]> {
    if (tokens.length === 0) return [];
    await this.store.ready();
    const rows = await this.store.db.selectFrom('virtual_keys').selectAll().where('token', 'in', [...tokens]).execute();
    return rows.map(fromRow);
  }

  async findByAlias(alias: string): Promise<VirtualKey | undefined> {
    await this.store.ready();
    const row = await this.store.db.selectFrom('virtual_keys').selectAll().where('key_alias', '=', alias).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async insert(key: VirtualKey): Promise<void> {
    await this.store.ready();
    await this.store.db.insertInto('virtual_keys').values(toRow(key)).execute();
  }

  /** Replaces the settings of a key; spend columns are left alone (they move by increments only). */
  async updateSettings(key: VirtualKey): Promise<void> {
    await this.store.ready();
    const { token, spend, total_spend, created_at, ...settings } = toRow(key);
    void spend;
    void total_spend;
    void created_at;
    await this.store.db.updateTable('virtual_keys').set(settings).where('token', '=', token).execute();
  }

  async delete(tokens: readonly string[]): Promise<number> {
    if (tokens.length === 0) return 0;
    await this.store.ready();
    const result = await this.store.db.deleteFrom('virtual_keys').where('token', 'in', [...tokens]).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Starts a new budget period: spend back to 0. Conditional on the period being the one the caller
   * saw, so when several replicas notice the same expiry only one resets (and none resets twice).
   */
  async resetBudget(token: string, seenResetAt: string, nextResetAt: string): Promise<boolean> {
    await this.store.ready();
    const result = await this.store.db
      .updateTable('virtual_keys')
      .set({ spend: 0, budget_reset_at: nextResetAt })
      .where('token', '=', token)
      .where('budget_reset_at', '=', seenResetAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function fromRow(r: VirtualKeysTable): VirtualKey {
  return {
    token: r.token,
    keyName: r.key_name,
    keyAlias: r.key_alias ?? undefined,
    models: JSON.parse(r.models) as string[],
    maxBudget: r.max_budget ?? undefined,
    budgetDuration: r.budget_duration ?? undefined,
    budgetResetAt: r.budget_reset_at ?? undefined,
    spend: Number(r.spend),
    totalSpend: Number(r.total_spend),
    rpmLimit: r.rpm_limit ?? undefined,
    tpmLimit: r.tpm_limit ?? undefined,
    maxParallelRequests: r.max_parallel_requests ?? undefined,
    expires: r.expires ?? undefined,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRow(k: VirtualKey): VirtualKeysTable {
  return {
    token: k.token,
    key_name: k.keyName,
    key_alias: k.keyAlias ?? null,
    models: JSON.stringify(k.models),
    max_budget: k.maxBudget ?? null,
    budget_duration: k.budgetDuration ?? null,
    budget_reset_at: k.budgetResetAt ?? null,
    spend: k.spend,
    total_spend: k.totalSpend,
    rpm_limit: k.rpmLimit ?? null,
    tpm_limit: k.tpmLimit ?? null,
    max_parallel_requests: k.maxParallelRequests ?? null,
    expires: k.expires ?? null,
    metadata: JSON.stringify(k.metadata),
    created_at: k.createdAt,
    updated_at: k.updatedAt,
  };
}
