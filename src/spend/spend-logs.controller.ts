import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { SpendLogsService } from './spend-logs.service.js';

/** GET /spend/logs: one row per completed request, newest first, paged. Master key only. */
@AdminOnly()
@Controller('spend')
export class SpendLogsController {
  constructor(private readonly spend: SpendLogsService) {}

  @Get('logs')
  logs(@Query() query: Record<string, unknown>) {
    return this.spend.logs(query);
  }
}
