import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { GatewayError } from '../common/gateway-error.js';
import { AdminBodyPipe } from './admin-body.pipe.js';
import { DeleteModelDto, MODEL_ID_PATTERN, MODEL_ID_RULE, NewModelDto, PatchModelDto, UpdateModelDto } from './dto/model.dto.js';
import { ModelAdminService } from './model-admin.service.js';
import { ApiBody, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminRoute } from '../openapi/openapi.decorators.js';

/** LiteLLM-compatible model management. Master key only. */
@ApiTags('admin: models')
@AdminOnly()
@Controller()
export class ModelAdminController {
  constructor(private readonly models: ModelAdminService) {}

  @ApiAdminRoute({ summary: 'Add a model (deployment) to a group', description: 'Persisted in the store; live at once on every replica.' })
  @ApiBody({ type: NewModelDto })
  @Post('model/new')
  @HttpCode(200)
  create(@Body(new AdminBodyPipe(NewModelDto)) body: NewModelDto) {
    return this.models.create(body);
  }

  @ApiAdminRoute({ summary: 'Update a model named by model_info.id (LiteLLM shape)', description: 'Fields given are merged into the model; null removes a field.', errors: [404] })
  @ApiBody({ type: UpdateModelDto })
  @Post('model/update')
  @HttpCode(200)
  update(@Body(new AdminBodyPipe(UpdateModelDto)) body: UpdateModelDto) {
    const id = body.model_info?.id;
    if (typeof id !== 'string') throw GatewayError.invalid("Invalid 'model_info.id': is required to name the model to update.", 'model_info.id');
    return this.models.update(id, body);
  }

  @ApiAdminRoute({ summary: 'Update a model by id', description: 'Fields given are merged into the model; null removes a field.', errors: [404] })
  @ApiParam({ name: 'id', schema: { type: 'string' }, description: 'model_info.id' })
  @ApiBody({ type: PatchModelDto })
  @Patch('model/:id')
  patch(@Param('id') id: string, @Body(new AdminBodyPipe(PatchModelDto)) body: PatchModelDto) {
    return this.models.update(checkId(id), body);
  }

  @ApiAdminRoute({ summary: 'Delete a model', errors: [404] })
  @ApiBody({ type: DeleteModelDto })
  @Post('model/delete')
  @HttpCode(200)
  delete(@Body(new AdminBodyPipe(DeleteModelDto)) body: DeleteModelDto) {
    return this.models.delete(body.id);
  }

  @ApiAdminRoute({ summary: 'Models with their settings (secrets masked)', description: 'From the config file and the store; `source` and `editable` say which.' })
  @ApiQuery({ name: 'litellm_model_id', required: false, schema: { type: 'string' }, description: 'Only this model (model_info.id).' })
  @Get(['model/info', 'v1/model/info'])
  info(@Query('litellm_model_id') id?: unknown) {
    return this.models.info(id === undefined ? undefined : checkId(id));
  }

  @ApiAdminRoute({ summary: 'Model groups with their deployments and aliases' })
  @ApiQuery({ name: 'model_group', required: false, schema: { type: 'string' }, description: 'Only this group.' })
  @Get(['model_group/info', 'v1/model_group/info'])
  groupInfo(@Query('model_group') group?: unknown) {
    if (group !== undefined && typeof group !== 'string') throw GatewayError.invalid("Query parameter 'model_group' must be given once.", 'model_group');
    return this.models.groupInfo(group);
  }

  @ApiAdminRoute({ summary: 'How a model name resolves on an endpoint', description: 'Alias, group, wildcard capture, deployments and the upstream model ids: the same resolution every request uses.', errors: [404] })
  @ApiQuery({ name: 'model', required: true, schema: { type: 'string' } })
  @ApiQuery({ name: 'endpoint', required: false, schema: { type: 'string', enum: ['chat', 'responses', 'embeddings', 'messages'], default: 'chat' } })
  @Get('model/resolve')
  resolve(@Query('model') model?: unknown, @Query('endpoint') endpoint?: unknown) {
    if (model !== undefined && typeof model !== 'string') throw GatewayError.invalid("Query parameter 'model' must be given once.", 'model');
    if (endpoint !== undefined && typeof endpoint !== 'string') throw GatewayError.invalid("Query parameter 'endpoint' must be given once.", 'endpoint');
    return this.models.resolve(model, endpoint);
  }
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || !MODEL_ID_PATTERN.test(id)) throw GatewayError.invalid(`Invalid model id: ${MODEL_ID_RULE}.`, 'id');
  return id;
}
