import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { AdminBodyPipe } from '../admin/admin-body.pipe.js';
import { AdminOnly } from '../auth/auth.decorators.js';
import { DeleteKeysDto, GenerateKeyDto, UpdateKeyDto } from './dto/key.dto.js';
import { KeysService } from './keys.service.js';

/** LiteLLM-compatible /key/* endpoints. Master key only. */
@AdminOnly()
@Controller('key')
export class KeysAdminController {
  constructor(private readonly keys: KeysService) {}

  @Post('generate')
  @HttpCode(200)
  generate(@Body(new AdminBodyPipe(GenerateKeyDto)) body: GenerateKeyDto) {
    return this.keys.generate(body);
  }

  @Get('info')
  info(@Query('key') key?: unknown) {
    return this.keys.info(key);
  }

  @Post('update')
  @HttpCode(200)
  update(@Body(new AdminBodyPipe(UpdateKeyDto)) body: UpdateKeyDto) {
    return this.keys.update(body);
  }

  @Post('delete')
  @HttpCode(200)
  delete(@Body(new AdminBodyPipe(DeleteKeysDto)) body: DeleteKeysDto) {
    return this.keys.delete(body);
  }

  @Get('list')
  list(@Query('page') page?: unknown, @Query('size') size?: unknown, @Query('key_alias') keyAlias?: unknown, @Query('return_full_object') full?: unknown) {
    return this.keys.list({ page, size, key_alias: keyAlias, return_full_object: full });
  }
}
