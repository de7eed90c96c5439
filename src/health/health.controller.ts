import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly, Public } from '../auth/auth.decorators.js';
import { GatewayError } from '../common/gateway-error.js';
import { DEFAULT_PROBE_TIMEOUT_MS, DeploymentProbeService } from './deployment-probe.service.js';
import { ReadinessService } from './readiness.service.js';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminRoute, ApiPublicRoute } from '../openapi/openapi.decorators.js';
import { StatusDto } from '../openapi/dto/admin-response.dto.js';

const STATUS_OK = { status: 200, description: 'OK', type: StatusDto };

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly readinessChecks: ReadinessService,
    private readonly probes: DeploymentProbeService,
  ) {}

  /** The process is up and its event loop answers; nothing else is checked (restarts would not help). */
  @ApiPublicRoute({ summary: 'Liveness probe', ok: STATUS_OK })
  @Public()
  @Get('liveliness')
  liveliness() {
    return { status: 'ok' };
  }

  /** Kubernetes-style alias. */
  @ApiPublicRoute({ summary: 'Liveness probe (Kubernetes spelling)', ok: STATUS_OK })
  @Public()
  @Get('liveness')
  liveness() {
    return { status: 'ok' };
  }

  @ApiPublicRoute({ summary: 'Readiness probe', description: 'Store and Redis reachable, not shutting down.', errors: [503], ok: STATUS_OK })
  @Public()
  @Get('readiness')
  readiness() {
    return this.readinessChecks.assertReady();
  }

  /** Master key only: it spends (tiny) upstream calls. `?model=` probes one group; `?timeout_ms=` bounds each call. */
  @ApiAdminRoute({ summary: 'Probe every deployment with a tiny upstream call' })
  @ApiQuery({ name: 'model', required: false, schema: { type: 'string' }, description: 'Only this group.' })
  @ApiQuery({ name: 'timeout_ms', required: false, schema: { type: 'integer', minimum: 100, maximum: 120000 } })
  @AdminOnly()
  @Get()
  deployments(@Query('model') model?: string, @Query('timeout_ms') timeout?: string) {
    let timeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
    if (timeout !== undefined) {
      timeoutMs = Number(timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
        throw GatewayError.invalid('timeout_ms must be an integer between 100 and 120000.', 'timeout_ms');
      }
    }
    return this.probes.probeAll({ model: typeof model === 'string' && model ? model : undefined, timeoutMs });
  }
}
