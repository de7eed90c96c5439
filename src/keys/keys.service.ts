import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { hashKey } from '../auth/api-key.service.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { InvalidationBus } from '../redis/invalidation-bus.service.js';
import type { DeleteKeysDto, GenerateKeyDto, KeySettingsDto, UpdateKeyDto } from './dto/key.dto.js';
import { addDuration } from './duration.js';
import { KeyCacheService } from './key-cache.service.js';
import { KeyView, maskKey, renderKey } from './key-view.js';
import type { VirtualKey } from './virtual-key.js';
import { VirtualKeysRepository } from './virtual-keys.repository.js';

const TOKEN = /^[0-9a-f]{64}$/;
const MAX_PAGE_SIZE = 100;

/**
 * Virtual key administration. The full key exists only in the /key/generate answer: what is
 * stored, cached, logged and shown afterwards is its SHA-256 (`token`) and a masked name.
 * Every write goes to the database first, then to this replica's cache, then to the others.
 */
@Injectable()
export class KeysService {
  private readonly logger = new Logger('Keys');

  constructor(
    private readonly repo: VirtualKeysRepository,
    private readonly cache: KeyCacheService,
    private readonly bus: InvalidationBus,
  ) {}

  async generate(dto: GenerateKeyDto): Promise<KeyView & { key: string }> {
    const now = new Date();
    if (dto.key_alias) await this.checkAliasFree(dto.key_alias);
    const key = `sk-${randomBytes(24).toString('base64url')}`;
    const token = hashKey(key).toString('hex');
    const record: VirtualKey = {
      token,
      keyName: maskKey(key),
      ...settings(dto, now),
      spend: 0,
      totalSpend: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await this.repo.insert(record);
    this.cache.put(record);
    this.bus.publish({ kind: 'keys', tokens: [token] });
    this.logger.log(`key ${record.keyName} created${record.keyAlias ? ` (alias '${record.keyAlias}')` : ''}`);
    return { key, ...renderKey(record) };
  }

  async info(keyParam: unknown): Promise<{ key: string; info: KeyView }> {
    if (typeof keyParam !== 'string' || keyParam.length === 0) throw GatewayError.invalid("Query parameter 'key' is required.", 'key');
    const record = await this.find(keyParam);
    return { key: record.token, info: this.view(record) };
  }

  async update(dto: UpdateKeyDto): Promise<KeyView> {
    const current = await this.find(dto.key);
    const { key: _ignored, ...changes } = dto;
    void _ignored;
    if (changes.key_alias && changes.key_alias !== current.keyAlias) await this.checkAliasFree(changes.key_alias);
    const now = new Date();
    const merged: VirtualKey = { ...current, ...settings(changes, now, current), updatedAt: now.toISOString() };
    await this.repo.updateSettings(merged);
    // Spend columns are not part of the update: take them from the store, not from a stale read.
    const stored = (await this.repo.get(merged.token)) ?? merged;
    this.cache.put(stored);
    this.bus.publish({ kind: 'keys', tokens: [stored.token] });
    this.logger.log(`key ${stored.keyName} updated`);
    return this.view(stored);
  }

  async delete(dto: DeleteKeysDto): Promise<{ deleted_keys: string[] }> {
    const refs = dto.keys ?? [];
    const aliases = dto.key_aliases ?? [];
    if (refs.length + aliases.length === 0) throw GatewayError.invalid("Give 'keys' (keys or tokens) or 'key_aliases' to delete.", 'keys');
    const records: VirtualKey[] = [];
    for (const ref of refs) records.push(await this.find(ref));
    for (const alias of aliases) {
      const r = await this.repo.findByAlias(alias);
      if (!r) throw new GatewayError(ErrorCode.RouteNotFound, `No key with alias '${alias}'.`, { param: 'key_aliases' });
      records.push(r);
    }
    const tokens = [...new Set(records.map((r) => r.token))];
    await this.repo.delete(tokens);
    this.cache.remove(tokens);
    this.bus.publish({ kind: 'keys', tokens });
    this.logger.log(`deleted ${tokens.length} key(s): ${records.map((r) => r.keyName).join(', ')}`);
    return { deleted_keys: tokens };
  }

  async list(query: { page?: unknown; size?: unknown; key_alias?: unknown; return_full_object?: unknown }) {
    const page = positiveInt(query.page, 'page') ?? 1;
    const size = Math.min(positiveInt(query.size, 'size') ?? 50, MAX_PAGE_SIZE);
    let all = await this.repo.list();
    if (typeof query.key_alias === 'string') all = all.filter((k) => k.keyAlias === query.key_alias);
    const slice = all.slice((page - 1) * size, page * size);
    const full = query.return_full_object === 'true' || query.return_full_object === true;
    return {
      keys: full ? slice.map((k) => this.view(k)) : slice.map((k) => k.token),
      total_count: all.length,
      current_page: page,
      total_pages: Math.max(1, Math.ceil(all.length / size)),
    };
  }

  /** By key (sk-…) or token (SHA-256 hex). The miss is the same 404 either way. */
  private async find(ref: string): Promise<VirtualKey> {
    const token = TOKEN.test(ref) ? ref : hashKey(ref).toString('hex');
    const record = await this.repo.get(token);
    if (!record) throw new GatewayError(ErrorCode.RouteNotFound, 'No such key.', { param: 'key' });
    return record;
  }

  private async checkAliasFree(alias: string): Promise<void> {
    if (await this.repo.findByAlias(alias)) throw GatewayError.invalid(`A key with alias '${alias}' already exists.`, 'key_alias');
  }

  /** Current spend includes what this replica has recorded but not yet written. */
  private view(k: VirtualKey): KeyView {
    const cached = this.cache.get(k.token);
    const unflushed = cached?.unflushed ?? 0;
    const spend = cached ? this.cache.periodSpend(cached) : k.spend;
    return renderKey(k, spend, k.totalSpend + unflushed);
  }
}

type Settings = Omit<VirtualKey, 'token' | 'keyName' | 'spend' | 'totalSpend' | 'createdAt' | 'updatedAt'>;

/** Applies DTO fields over `base`: absent keeps, null clears. Durations become instants from `now`. */
function settings(dto: KeySettingsDto, now: Date, base?: VirtualKey): Settings {
  const pick = <T>(value: T | null | undefined, current: T | undefined): T | undefined =>
    value === null ? undefined : value === undefined ? current : value;
  const budgetDuration = pick(dto.budget_duration, base?.budgetDuration);
  let budgetResetAt = base?.budgetResetAt;
  if (dto.budget_duration !== undefined) budgetResetAt = budgetDuration ? addDuration(now, budgetDuration)!.toISOString() : undefined;
  let expires = base?.expires;
  if (dto.duration !== undefined) expires = dto.duration ? addDuration(now, dto.duration)!.toISOString() : undefined;
  return {
    keyAlias: pick(dto.key_alias, base?.keyAlias),
    models: pick(dto.models, base?.models) ?? [],
    maxBudget: pick(dto.max_budget, base?.maxBudget),
    budgetDuration,
    budgetResetAt,
    rpmLimit: pick(dto.rpm_limit, base?.rpmLimit),
    tpmLimit: pick(dto.tpm_limit, base?.tpmLimit),
    maxParallelRequests: pick(dto.max_parallel_requests, base?.maxParallelRequests),
    expires,
    metadata: pick(dto.metadata, base?.metadata) ?? {},
  };
}

function positiveInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw GatewayError.invalid(`Query parameter '${name}' must be a positive integer.`, name);
  return n;
}
