import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { AliasAdminController } from './alias-admin.controller.js';
import { AliasAdminService } from './alias-admin.service.js';
import { ConfigAdminController } from './config-admin.controller.js';
import { ConfigAdminService } from './config-admin.service.js';
import { ModelAdminController } from './model-admin.controller.js';
import { ModelAdminService } from './model-admin.service.js';
import { StoredConfigService } from './stored-config.service.js';

/** Admin REST API: models, aliases, routing dry-run, config reload. Persistence comes from the global StoreModule. */
@Module({
  imports: [RoutingModule],
  controllers: [ModelAdminController, AliasAdminController, ConfigAdminController],
  providers: [StoredConfigService, ModelAdminService, AliasAdminService, ConfigAdminService],
  exports: [StoredConfigService],
})
export class AdminModule {}
