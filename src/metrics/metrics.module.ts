import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { RequestTelemetryMiddleware } from './request-telemetry.middleware.js';

/** Global so the router (cooldowns) and any service can record through MetricsService. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, RequestTelemetryMiddleware],
  exports: [MetricsService, RequestTelemetryMiddleware],
})
export class MetricsModule {}
