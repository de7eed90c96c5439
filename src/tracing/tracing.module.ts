import { Global, Module, OnModuleInit } from '@nestjs/common';
import { GATEWAY_OPTIONS } from '../config/gateway-options.js';
import type { GatewayOptions } from '../config/gateway-options.js';
import { ShutdownService } from '../health/shutdown.service.js';
import { AppLogger } from '../logging/app-logger.service.js';
import { TracingService } from './tracing.service.js';

/**
 * Tracing is decided once, at start-up, from general_settings.otel and the OTEL_* variables of
 * the configuration the gateway started with (a reload does not turn it on or off).
 */
@Global()
@Module({
  providers: [
    {
      provide: TracingService,
      inject: [GATEWAY_OPTIONS, AppLogger],
      useFactory: (options: GatewayOptions, logger: AppLogger) =>
        TracingService.create(options.loaded.config.general.otel, options.server?.basePath ?? '', logger),
    },
  ],
  exports: [TracingService],
})
export class TracingModule implements OnModuleInit {
  constructor(
    private readonly tracing: TracingService,
    private readonly shutdown: ShutdownService,
  ) {}

  onModuleInit(): void {
    // After in-flight requests drained, so their spans (streams end last) are in the batch.
    if (this.tracing.enabled) this.shutdown.onShutdown('tracing', () => this.tracing.flush());
  }
}
