import { Global, Module, OnModuleInit } from '@nestjs/common';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { RoutingModule } from '../routing/routing.module.js';
import { DeploymentProbeService } from './deployment-probe.service.js';
import { HealthController } from './health.controller.js';
import { ReadinessService } from './readiness.service.js';
import { ShutdownService } from './shutdown.service.js';

/**
 * Global so any module can register a readiness check (ReadinessService.register) or a flush
 * hook for shutdown (ShutdownService.onShutdown) without health knowing about it.
 */
@Global()
@Module({
  imports: [RoutingModule],
  controllers: [HealthController],
  providers: [ReadinessService, ShutdownService, DeploymentProbeService],
  exports: [ReadinessService, ShutdownService],
})
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly registry: ConfigRegistryService,
  ) {}

  onModuleInit(): void {
    this.readiness.register('config', () => {
      if (!this.registry.table) throw new Error('no routing table loaded');
    });
  }
}
