import { Global, Module } from '@nestjs/common';
import { ResponseCacheService } from './response-cache.service.js';

/** litellm_settings.cache: global so each endpoint service can consult it without importing a module per endpoint. */
@Global()
@Module({
  providers: [ResponseCacheService],
  exports: [ResponseCacheService],
})
export class CacheModule {}
