import { Controller, Get, Query } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { SpendLogsService } from './spend-logs.service.js';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminRoute } from '../openapi/openapi.decorators.js';
import { SpendLogPageDto } from '../openapi/dto/admin-response.dto.js';

/** GET /spend/logs: one row per completed request, newest first, paged. Master key only. */
@ApiTags('admin: spend')
@AdminOnly()
@Controller('spend')
export class SpendLogsController {
  constructor(private readonly spend: SpendLogsService) {}

  @ApiAdminRoute({ summary: 'Spend log, newest first', description: 'One row per completed request, paged.', ok: { status: 200, description: 'OK', type: SpendLogPageDto } })
  @ApiQuery({ name: 'page', required: false, schema: { type: 'integer', minimum: 1, default: 1 } })
  @ApiQuery({ name: 'page_size', required: false, schema: { type: 'integer', minimum: 1, default: 50 } })
  @ApiQuery({ name: 'api_key', required: false, schema: { type: 'string' }, description: 'Only this key (sk-… or its token).' })
  @ApiQuery({ name: 'request_id', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'model', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'start_date', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'end_date', required: false, schema: { type: 'string', format: 'date-time' } })
  @Get('logs')
  logs(@Query() query: Record<string, unknown>) {
    return this.spend.logs(query);
  }
}
