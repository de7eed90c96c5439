import { Global, Module } from '@nestjs/common';
import { TracingModule } from '../tracing/tracing.module.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';
import { RequestTelemetryMiddleware } from './request-telemetry.middleware.js';

/** Global so the router (cooldowns) and any service can record through MetricsService. */
@Global()
@Module({
  // The telemetry middleware starts and ends each request's span.
  imports: [TracingModule],
  controllers: [MetricsController],
  providers: [MetricsService, RequestTelemetryMiddleware],
  exports: [MetricsService, RequestTelemetryMiddleware],
})
export class MetricsModule {}
