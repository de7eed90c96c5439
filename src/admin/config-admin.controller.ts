import { Controller, HttpCode, Post } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { ConfigAdminService } from './config-admin.service.js';

@AdminOnly()
@Controller('config')
export class ConfigAdminController {
  constructor(private readonly config: ConfigAdminService) {}

  @Post('reload')
  @HttpCode(200)
  reload() {
    return this.config.reload();
  }
}
