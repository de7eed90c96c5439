import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/auth.decorators.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: ConfigRegistryService) {}

  @Public()
  @Get('liveliness')
  liveliness() {
    return { status: 'ok' };
  }

  @Public()
  @Get('readiness')
  readiness() {
    return { status: 'ok', models: this.registry.config.models.length };
  }
}
