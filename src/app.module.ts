import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { CacheModule } from './cache/cache.module.js';
import { ChatModule } from './chat/chat.module.js';
import { EmbeddingsModule } from './embeddings/embeddings.module.js';
import { GatewayExceptionFilter } from './common/gateway-exception.filter.js';
import { BODY_LIMIT_BYTES, DEFAULT_BODY_LIMIT, JsonBodyMiddleware } from './common/json-body.middleware.js';
import { RequestIdMiddleware } from './common/request-id.middleware.js';
import { RequestPipelineMiddleware } from './common/request-pipeline.middleware.js';
import { ConfigModule } from './config/config.module.js';
import type { GatewayOptions } from './config/gateway-options.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ModelsModule } from './models/models.module.js';
import { KeysModule } from './keys/keys.module.js';
import { LimitsModule } from './limits/limits.module.js';
import { RedisModule } from './redis/redis.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { ResponsesModule } from './responses/responses.module.js';
import { RerankModule } from './rerank/rerank.module.js';
import { SpendModule } from './spend/spend.module.js';
import { StoreModule } from './store/store.module.js';

@Module({})
export class AppModule implements NestModule {
  static forRoot(options: GatewayOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(options), AuthModule, ChatModule, ResponsesModule, MessagesModule, EmbeddingsModule, RerankModule, ModelsModule, HealthModule, StoreModule, AdminModule, LoggingModule.forRoot(options.server), MetricsModule, RedisModule, KeysModule, SpendModule, LimitsModule, CacheModule, OpenApiModule],
      providers: [
        { provide: APP_FILTER, useClass: GatewayExceptionFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: BODY_LIMIT_BYTES, useValue: options.server?.bodyLimitBytes ?? DEFAULT_BODY_LIMIT },
        RequestIdMiddleware,
        JsonBodyMiddleware,
        RequestPipelineMiddleware,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestPipelineMiddleware).forRoutes('{*splat}');
  }
}
