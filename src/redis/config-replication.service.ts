import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { StoredConfigService } from '../admin/stored-config.service.js';
import { InvalidationBus } from './invalidation-bus.service.js';

/**
 * Models and aliases across replicas: after an admin write here, the others are told to reload
 * the stored layer from the database (which the writing replica already committed).
 */
@Injectable()
export class ConfigReplicationService implements OnModuleInit {
  private readonly logger = new Logger('Replication');

  constructor(
    private readonly bus: InvalidationBus,
    private readonly stored: StoredConfigService,
  ) {}

  onModuleInit(): void {
    if (!this.bus.enabled) return;
    this.stored.onStoredWrite(() => this.bus.publish({ kind: 'config' }));
    this.bus.on('config', async () => {
      await this.stored.reloadFromStore();
      this.logger.log('models and aliases reloaded after a change on another replica');
    });
    this.bus.onReconnect(() => this.stored.reloadFromStore());
  }
}
