import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsAccess } from '../auth/auth.decorators.js';
import { MetricsService } from './metrics.service.js';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { API_KEY_SCHEME, ApiPublicRoute, BEARER_SCHEME } from '../openapi/openapi.decorators.js';

/**
 * Prometheus scrape endpoint. Public by default, like the probes, so a scraper inside the cluster
 * needs no credentials: it carries model and deployment names and counts, never keys or prompts.
 * Where even those names must stay private, general_settings.metrics_require_auth: true makes it
 * master-key only (401 without a key, 403 with a virtual key).
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @ApiPublicRoute({
    summary: 'Prometheus metrics',
    description: 'Open unless general_settings.metrics_require_auth; then the master key.',
    ok: { status: 200, description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
  })
  @ApiSecurity({})
  @ApiSecurity(BEARER_SCHEME)
  @ApiSecurity(API_KEY_SCHEME)
  @MetricsAccess()
  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.render();
    res.setHeader('content-type', this.metrics.contentType);
    res.status(200).send(body);
  }
}
