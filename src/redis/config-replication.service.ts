import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { StoredConfigService, StoredState } from '../admin/stored-config.service.js';
import type { StoredAlias } from '../store/aliases.repository.js';
import { AliasesRepository } from '../store/aliases.repository.js';
import type { StoredModel } from '../store/models.repository.js';
import { ModelsRepository } from '../store/models.repository.js';
import { InvalidationBus } from './invalidation-bus.service.js';

/**
 * Models and aliases across replicas: after an admin write here, the others are told to reload
 * the stored layer from the database (which the writing replica already committed). The resync
 * (after a reconnect, and periodically) reads both tables and rebuilds the routing table only
 * when they differ from what is served: a rebuild is cheap but not free, and most runs find
 * nothing to do.
 */
@Injectable()
export class ConfigReplicationService implements OnModuleInit {
  private readonly logger = new Logger('Replication');

  constructor(
    private readonly bus: InvalidationBus,
    private readonly stored: StoredConfigService,
    private readonly modelsRepo: ModelsRepository,
    private readonly aliasesRepo: AliasesRepository,
  ) {}

  onModuleInit(): void {
    this.bus.onReconnect(() => this.resync());
    if (!this.bus.enabled) return;
    this.stored.onStoredWrite(() => this.bus.publish({ kind: 'config' }));
    this.bus.on('config', async () => {
      await this.stored.reloadFromStore();
      this.logger.log('models and aliases reloaded after a change on another replica');
    });
  }

  /** Returns whether the stored layer had to be reloaded. */
  async resync(): Promise<boolean> {
    const [models, aliases] = await Promise.all([this.modelsRepo.list(), this.aliasesRepo.list()]);
    if (sameState(this.stored.current, models, aliases)) return false;
    // Re-read under the service's write lock: a local admin write may be landing right now.
    await this.stored.reloadFromStore();
    this.logger.log('models and aliases differed from the store (a change from another replica was missed): reloaded');
    return true;
  }
}

/** Timestamps left out: what is served depends only on the content. */
function sameState(current: StoredState, models: readonly StoredModel[], aliases: readonly StoredAlias[]): boolean {
  if (current.models.size !== models.length || current.aliases.size !== aliases.length) return false;
  for (const m of models) {
    const mine = current.models.get(m.id);
    if (!mine || !isDeepStrictEqual(content(mine), content(m))) return false;
  }
  for (const a of aliases) {
    const mine = current.aliases.get(a.name);
    if (!mine || !isDeepStrictEqual(content(mine), content(a))) return false;
  }
  return true;
}

function content<T extends { createdAt: string; updatedAt: string }>(row: T): Omit<T, 'createdAt' | 'updatedAt'> {
  const { createdAt, updatedAt, ...rest } = row;
  void createdAt;
  void updatedAt;
  return rest;
}
