import { Global, Module, OnModuleInit } from '@nestjs/common';
import { ReadinessService } from '../health/readiness.service.js';
import { AliasesRepository } from './aliases.repository.js';
import { ModelsRepository } from './models.repository.js';
import { StoreSecretsService } from './store-secrets.service.js';
import { StoreService } from './store.service.js';

/**
 * Persistence for every feature. Global so health (ping) and future features (virtual keys,
 * spend) inject StoreService or their own repository without importing admin code. A new
 * feature adds its repository to `providers`/`exports` here and a migration in migrations/.
 */
@Global()
@Module({
  providers: [StoreService, StoreSecretsService, ModelsRepository, AliasesRepository],
  exports: [StoreService, StoreSecretsService, ModelsRepository, AliasesRepository],
})
export class StoreModule implements OnModuleInit {
  constructor(
    private readonly store: StoreService,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness.register('store', () => this.store.ping());
  }
}
