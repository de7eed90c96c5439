import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { AdminOnly } from '../auth/auth.decorators.js';
import { AdminBodyPipe } from './admin-body.pipe.js';
import { AliasAdminService } from './alias-admin.service.js';
import { PutAliasDto } from './dto/alias.dto.js';
import { ApiBody, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAdminRoute } from '../openapi/openapi.decorators.js';

const ALIAS_NAME = { name: 'name', schema: { type: 'string' }, description: 'The alias; may contain slashes (the rest of the path).' };

/** Aliases (router_settings.model_group_alias). Names may contain slashes, so the name is the rest of the path. */
@ApiTags('admin: aliases')
@AdminOnly()
@Controller('alias')
export class AliasAdminController {
  constructor(private readonly aliases: AliasAdminService) {}

  @ApiAdminRoute({ summary: 'List aliases' })
  @Get()
  list() {
    return this.aliases.list();
  }

  @ApiAdminRoute({ summary: 'Read an alias', errors: [404] })
  @ApiParam(ALIAS_NAME)
  @Get('*name')
  get(@Param('name') name: string | string[]) {
    return this.aliases.get(joined(name));
  }

  @ApiAdminRoute({ summary: 'Create or replace an alias', description: 'Persisted in the store.' })
  @ApiParam(ALIAS_NAME)
  @ApiBody({ type: PutAliasDto })
  @Put('*name')
  put(@Param('name') name: string | string[], @Body(new AdminBodyPipe(PutAliasDto)) body: PutAliasDto) {
    return this.aliases.put(joined(name), body);
  }

  @ApiAdminRoute({ summary: 'Delete an alias', errors: [404] })
  @ApiParam(ALIAS_NAME)
  @Delete('*name')
  delete(@Param('name') name: string | string[]) {
    return this.aliases.delete(joined(name));
  }
}

function joined(name: string | string[]): string {
  return Array.isArray(name) ? name.join('/') : name;
}
