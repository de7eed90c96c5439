import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { AdminBodyPipe } from '../admin/admin-body.pipe.js';
import { AdminOnly } from '../auth/auth.decorators.js';
import { DeleteKeysDto, GenerateKeyDto, UpdateKeyDto } from './dto/key.dto.js';
import { KeysService } from './keys.service.js';
import { ApiBody, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminRoute } from '../openapi/openapi.decorators.js';
import { GeneratedKeyDto, KeyInfoAnswerDto, KeyListDto, KeysDeletedDto, KeyViewDto } from '../openapi/dto/admin-response.dto.js';

/** LiteLLM-compatible /key/* endpoints. Master key only. */
@ApiTags('admin: keys')
@AdminOnly()
@Controller('key')
export class KeysAdminController {
  constructor(private readonly keys: KeysService) {}

  @ApiAdminRoute({ summary: 'Create a virtual key', description: 'The answer is the only time the key itself is shown.', ok: { status: 200, description: 'OK', type: GeneratedKeyDto } })
  @ApiBody({ type: GenerateKeyDto })
  @Post('generate')
  @HttpCode(200)
  generate(@Body(new AdminBodyPipe(GenerateKeyDto)) body: GenerateKeyDto) {
    return this.keys.generate(body);
  }

  @ApiAdminRoute({ summary: 'A key\'s settings and spend', errors: [404], ok: { status: 200, description: 'OK', type: KeyInfoAnswerDto } })
  @ApiQuery({ name: 'key', required: true, schema: { type: 'string' }, description: 'The key (sk-…) or its token.' })
  @Get('info')
  info(@Query('key') key?: unknown) {
    return this.keys.info(key);
  }

  @ApiAdminRoute({ summary: 'Change a key\'s settings', description: 'null removes a setting.', errors: [404], ok: { status: 200, description: 'OK', type: KeyViewDto } })
  @ApiBody({ type: UpdateKeyDto })
  @Post('update')
  @HttpCode(200)
  update(@Body(new AdminBodyPipe(UpdateKeyDto)) body: UpdateKeyDto) {
    return this.keys.update(body);
  }

  @ApiAdminRoute({ summary: 'Revoke keys', description: 'By key, token or alias; revoked at once on every replica.', errors: [404], ok: { status: 200, description: 'OK', type: KeysDeletedDto } })
  @ApiBody({ type: DeleteKeysDto })
  @Post('delete')
  @HttpCode(200)
  delete(@Body(new AdminBodyPipe(DeleteKeysDto)) body: DeleteKeysDto) {
    return this.keys.delete(body);
  }

  @ApiAdminRoute({ summary: 'List keys (tokens, never the keys)', ok: { status: 200, description: 'OK', type: KeyListDto } })
  @ApiQuery({ name: 'page', required: false, schema: { type: 'integer', minimum: 1, default: 1 } })
  @ApiQuery({ name: 'size', required: false, schema: { type: 'integer', minimum: 1, default: 50 } })
  @ApiQuery({ name: 'key_alias', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'return_full_object', required: false, schema: { type: 'boolean' } })
  @Get('list')
  list(@Query('page') page?: unknown, @Query('size') size?: unknown, @Query('key_alias') keyAlias?: unknown, @Query('return_full_object') full?: unknown) {
    return this.keys.list({ page, size, key_alias: keyAlias, return_full_object: full });
  }
}
