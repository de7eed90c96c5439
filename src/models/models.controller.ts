import { Controller, Get, Param, Req } from '@nestjs/common';
import type { GatewayRequest } from '../common/request-context.js';
import { ANONYMOUS } from '../auth/caller.js';
import { ModelsService } from './models.service.js';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeyedRoute } from '../openapi/openapi.decorators.js';
import { ModelListDto, ModelObjectDto } from '../openapi/dto/inference-response.dto.js';

@ApiTags('models')
@Controller()
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @ApiKeyedRoute({ summary: 'Groups and visible aliases this key may use', ok: { status: 200, description: 'OK', type: ModelListDto } })
  @Get(['v1/models', 'models'])
  list(@Req() req: GatewayRequest) {
    return { object: 'list', data: this.models.list(req.caller ?? ANONYMOUS) };
  }

  // Model ids contain slashes (openrouter/openai/gpt-4o), so the id is the rest of the path.
  @ApiKeyedRoute({ summary: 'One model', ok: { status: 200, description: 'OK', type: ModelObjectDto }, errors: [404] })
  @ApiParam({ name: 'id', schema: { type: 'string' }, description: 'The model name; may contain slashes (the rest of the path).' })
  @Get(['v1/models/*id', 'models/*id'])
  retrieve(@Param('id') id: string | string[], @Req() req: GatewayRequest) {
    const name = Array.isArray(id) ? id.join('/') : id;
    return this.models.retrieve(name, req.caller ?? ANONYMOUS);
  }
}
