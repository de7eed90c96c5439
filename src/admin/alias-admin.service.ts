import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { AliasesRepository } from '../store/aliases.repository.js';
import type { StoredAlias } from '../store/aliases.repository.js';
import type { PutAliasDto } from './dto/alias.dto.js';
import { StoredConfigService } from './stored-config.service.js';

export interface AliasView {
  name: string;
  model: string;
  hidden: boolean;
  source: 'file' | 'db';
  editable: boolean;
}

const ALIAS_NAME = /^[^\s\x00-\x1f\x7f](?:[^\x00-\x1f\x7f]{0,254}[^\s\x00-\x1f\x7f])?$/;

/** router_settings.model_group_alias over REST, with the same validation as the file. */
@Injectable()
export class AliasAdminService {
  private readonly logger = new Logger('Admin');

  constructor(
    private readonly stored: StoredConfigService,
    private readonly registry: ConfigRegistryService,
    private readonly aliasesRepo: AliasesRepository,
  ) {}

  list(): { data: AliasView[] } {
    return { data: this.registry.table.aliasEntries().map(([name]) => this.view(name)!) };
  }

  get(name: string): AliasView {
    checkName(name);
    const view = this.view(name);
    if (!view) throw notFound(name);
    return view;
  }

  async put(name: string, dto: PutAliasDto): Promise<AliasView> {
    checkName(name);
    await this.stored.apply((state) => {
      if (name in this.stored.fileConfig.aliases) this.requireFileEdits(name);
      const now = new Date().toISOString();
      const alias: StoredAlias = {
        name,
        target: dto.model,
        hidden: dto.hidden === true,
        deleted: false,
        createdAt: state.aliases.get(name)?.createdAt ?? now,
        updatedAt: now,
      };
      const aliases = new Map(state.aliases);
      aliases.set(name, alias);
      return { next: { ...state, aliases }, persist: () => this.aliasesRepo.upsert(alias), result: () => undefined };
    });
    this.logger.log(`alias '${name}' -> '${dto.model}'${dto.hidden ? ' (hidden)' : ''} saved`);
    return this.view(name)!;
  }

  async delete(name: string): Promise<{ message: string; name: string }> {
    checkName(name);
    await this.stored.apply((state) => {
      const inFile = name in this.stored.fileConfig.aliases;
      const row = state.aliases.get(name);
      if (!this.registry.table.alias(name)) throw notFound(name);
      const aliases = new Map(state.aliases);
      if (inFile) {
        this.requireFileEdits(name);
        const now = new Date().toISOString();
        const tomb: StoredAlias = { name, hidden: false, deleted: true, createdAt: row?.createdAt ?? now, updatedAt: now };
        aliases.set(name, tomb);
        return { next: { ...state, aliases }, persist: () => this.aliasesRepo.upsert(tomb), result: () => undefined };
      }
      aliases.delete(name);
      return { next: { ...state, aliases }, persist: async () => void (await this.aliasesRepo.delete(name)), result: () => undefined };
    });
    this.logger.log(`alias '${name}' deleted`);
    return { message: `Alias ${name} deleted.`, name };
  }

  private view(name: string): AliasView | undefined {
    const alias = this.registry.table.alias(name);
    if (!alias) return undefined;
    const row = this.stored.current.aliases.get(name);
    const source = row && !row.deleted ? 'db' : 'file';
    return { name, model: alias.target, hidden: alias.hidden, source, editable: source === 'db' || this.stored.fileEditsAllowed() };
  }

  private requireFileEdits(name: string): void {
    if (!this.stored.fileEditsAllowed()) {
      throw GatewayError.invalid(
        `Alias '${name}' comes from the config file and is read-only over REST. Edit the file and POST /config/reload, ` +
          'or set general_settings.allow_file_model_edits: true (or SWITCHBOARD_ALLOW_FILE_MODEL_EDITS=true) to allow overrides.',
        'name',
      );
    }
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !ALIAS_NAME.test(name)) {
    throw GatewayError.invalid('Invalid alias name: 1-256 printable characters, no leading or trailing spaces.', 'name');
  }
}

function notFound(name: string): GatewayError {
  return new GatewayError(ErrorCode.RouteNotFound, `No alias named '${name}'.`, { param: 'name' });
}
