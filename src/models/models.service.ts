import { Injectable } from '@nestjs/common';
import type { Caller } from '../auth/caller.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** The names a caller may send: model groups and visible aliases (wildcard patterns are not model ids). */
@Injectable()
export class ModelsService {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly registry: ConfigRegistryService,
    private readonly resolver: ModelResolutionService,
  ) {}

  list(caller: Caller): ModelObject[] {
    const table = this.registry.table;
    const names = [
      ...table.groupNames(),
      ...table.aliasEntries().filter(([, a]) => !a.hidden).map(([name]) => name),
    ];
    return names.filter((name) => this.usable(name, caller)).map((id) => this.object(id));
  }

  retrieve(name: string, caller: Caller): ModelObject {
    this.resolver.resolve(name, 'chat', caller);
    return this.object(name);
  }

  private usable(name: string, caller: Caller): boolean {
    try {
      this.resolver.resolve(name, 'chat', caller);
      return true;
    } catch {
      return false;
    }
  }

  private object(id: string): ModelObject {
    return { id, object: 'model', created: this.created, owned_by: 'switchboard' };
  }
}
