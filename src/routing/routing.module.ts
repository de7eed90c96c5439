import { Module } from '@nestjs/common';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelResolutionService } from './model-resolution.service.js';
import { RouterService } from './router.service.js';

/** Resolution, routing and the adapter registry: what every endpoint module injects. */
@Module({
  providers: [ModelResolutionService, RouterService, ProviderRegistry],
  exports: [ModelResolutionService, RouterService, ProviderRegistry],
})
export class RoutingModule {}
