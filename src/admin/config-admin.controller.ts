import { Controller, HttpCode, Post } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { ConfigAdminService } from './config-admin.service.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiAdminRoute } from '../openapi/openapi.decorators.js';

@ApiTags('admin: config')
@AdminOnly()
@Controller('config')
export class ConfigAdminController {
  constructor(private readonly config: ConfigAdminService) {}

  @ApiAdminRoute({ summary: 'Re-read the config file', description: 'A file that does not validate is refused and the running config is kept.' })
  @Post('reload')
  @HttpCode(200)
  reload() {
    return this.config.reload();
  }
}
