import { Module, OnModuleInit } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module.js';
import { RouterService } from '../routing/router.service.js';
import { RoutingModule } from '../routing/routing.module.js';
import { SpendModule } from '../spend/spend.module.js';
import { KeyAdmissionService } from './key-admission.service.js';
import { LimitsService } from './limits.service.js';
import { RateLimitService } from './rate-limit.service.js';

/** Per-key and per-deployment limits; the usage meter of every inference request. */
@Module({
  imports: [KeysModule, SpendModule, RoutingModule],
  providers: [RateLimitService, LimitsService, KeyAdmissionService],
  exports: [KeyAdmissionService],
})
export class LimitsModule implements OnModuleInit {
  constructor(
    private readonly router: RouterService,
    private readonly limits: LimitsService,
  ) {}

  onModuleInit(): void {
    this.router.setAdmission((target, countUsage) => this.limits.admitDeployment(target, countUsage));
    this.router.setUsageReader((targets) => this.limits.deploymentUsage(targets));
  }
}
