import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { AdminBodyPipe } from './admin-body.pipe.js';
import { AliasAdminService } from './alias-admin.service.js';
import { PutAliasDto } from './dto/alias.dto.js';

/** Aliases (router_settings.model_group_alias). Names may contain slashes, so the name is the rest of the path. */
@AdminOnly()
@Controller('alias')
export class AliasAdminController {
  constructor(private readonly aliases: AliasAdminService) {}

  @Get()
  list() {
    return this.aliases.list();
  }

  @Get('*name')
  get(@Param('name') name: string | string[]) {
    return this.aliases.get(joined(name));
  }

  @Put('*name')
  put(@Param('name') name: string | string[], @Body(new AdminBodyPipe(PutAliasDto)) body: PutAliasDto) {
    return this.aliases.put(joined(name), body);
  }

  @Delete('*name')
  delete(@Param('name') name: string | string[]) {
    return this.aliases.delete(joined(name));
  }
}

function joined(name: string | string[]): string {
  return Array.isArray(name) ? name.join('/') : name;
}
