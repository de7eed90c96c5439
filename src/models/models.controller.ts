import { Controller, Get, Param, Req } from '@nestjs/common';
import type { GatewayRequest } from '../common/request-context.js';
import { ANONYMOUS } from '../auth/caller.js';
import { ModelsService } from './models.service.js';

@Controller()
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get(['v1/models', 'models'])
  list(@Req() req: GatewayRequest) {
    return { object: 'list', data: this.models.list(req.caller ?? ANONYMOUS) };
  }

  // Model ids contain slashes (openrouter/openai/gpt-4o), so the id is the rest of the path.
  @Get(['v1/models/*id', 'models/*id'])
  retrieve(@Param('id') id: string | string[], @Req() req: GatewayRequest) {
    const name = Array.isArray(id) ? id.join('/') : id;
    return this.models.retrieve(name, req.caller ?? ANONYMOUS);
  }
}
