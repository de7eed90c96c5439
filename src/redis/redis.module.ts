import { Global, Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { ConfigReplicationService } from './config-replication.service.js';
import { InvalidationBus } from './invalidation-bus.service.js';
import { RedisService } from './redis.service.js';

/** REDIS_URL: shared counters and cross-replica invalidation. Everything here is a no-op without it. */
@Global()
@Module({
  imports: [AdminModule],
  providers: [RedisService, InvalidationBus, ConfigReplicationService],
  exports: [RedisService, InvalidationBus],
})
export class RedisModule {}
