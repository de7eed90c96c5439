import { Module } from '@nestjs/common';
import { KeyCacheService } from './key-cache.service.js';
import { KeysAdminController } from './keys-admin.controller.js';
import { KeysService } from './keys.service.js';
import { VirtualKeysRepository } from './virtual-keys.repository.js';

/** Virtual keys: the /key/* admin API and the in-memory key cache the AuthGuard reads. */
@Module({
  controllers: [KeysAdminController],
  providers: [VirtualKeysRepository, KeyCacheService, KeysService],
  exports: [VirtualKeysRepository, KeyCacheService],
})
export class KeysModule {}
