import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsAccess } from '../auth/auth.decorators.js';
import { MetricsService } from './metrics.service.js';

/**
 * Prometheus scrape endpoint. Public by default, like the probes, so a scraper inside the cluster
 * needs no credentials: it carries model and deployment names and counts, never keys or prompts.
 * Where even those names must stay private, general_settings.metrics_require_auth: true makes it
 * master-key only (401 without a key, 403 with a virtual key).
 */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @MetricsAccess()
  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.render();
    res.setHeader('content-type', this.metrics.contentType);
    res.status(200).send(body);
  }
}
