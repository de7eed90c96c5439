import { Injectable } from '@nestjs/common';
import { Caller } from '../auth/caller.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { providerInfo } from '../providers/provider-catalog.js';
import { DeploymentTarget, RoutingTable } from './routing-table.js';

export type Endpoint = 'chat' | 'responses' | 'embeddings' | 'messages' | 'rerank';

export interface Resolution {
  /** The name the client sent; echoed back as `model` in every response. */
  readonly requestedName: string;
  /** The model group (model_name, or the wildcard pattern) that serves it. */
  readonly group: string;
  readonly via: 'exact' | 'alias' | 'wildcard';
  /** Aliases followed, in order, when via is 'alias'. */
  readonly aliasChain: readonly string[];
  /** What the wildcard's `*`s captured, when a wildcard matched. */
  readonly captures: readonly string[];
  readonly candidates: readonly DeploymentTarget[];
  /**
   * The table this was resolved on. The router resolves fallbacks and reads its settings from
   * it, so an admin write during the request cannot pair the old primary with a new fallback.
   */
  readonly table: RoutingTable;
}

const MAX_MODEL_NAME = 512;

/**
 * The only code that turns a model name into deployments. Every endpoint, fallbacks and the
 * admin dry-run go through resolve(), so an alias cannot mean one thing on /chat/completions
 * and another on /v1/responses.
 */
@Injectable()
export class ModelResolutionService {
  constructor(private readonly registry: ConfigRegistryService) {}

  resolve(requestedName: string, endpoint: Endpoint, caller?: Caller, table: RoutingTable = this.registry.table): Resolution {
    if (typeof requestedName !== 'string' || requestedName.length === 0) {
      throw GatewayError.invalid('`model` is required and must be a non-empty string.', 'model');
    }
    if (requestedName.length > MAX_MODEL_NAME) throw GatewayError.modelNotFound(requestedName);

    const resolution = this.lookup(requestedName, table);
    if (caller) this.checkAccess(caller, resolution);
    return this.forEndpoint(resolution, endpoint);
  }

  private lookup(requestedName: string, table: RoutingTable): Resolution {
    const aliasChain: string[] = [];
    let name = requestedName;
    // The table rejects cycles at compile time, so this ends; `seen` guards it regardless. No depth
    // cap: a chain the config accepted must resolve at request time too.
    const seen = new Set<string>();
    for (;;) {
      const exact = table.groupTargets(name);
      if (exact) {
        return { requestedName, group: name, via: aliasChain.length ? 'alias' : 'exact', aliasChain, captures: [], candidates: exact, table };
      }
      const alias = table.alias(name);
      if (!alias || seen.has(name)) break;
      seen.add(name);
      aliasChain.push(name);
      name = alias.target;
    }
    const match = table.matchWildcard(name);
    if (!match) throw GatewayError.modelNotFound(requestedName);
    if (match.targets.length === 0) {
      // Matched a pattern like `*` but the captured name has no usable provider.
      throw GatewayError.invalid(`Model '${requestedName}' cannot be routed: ${match.errors[0]}.`, 'model');
    }
    return {
      requestedName,
      group: match.pattern,
      via: aliasChain.length ? 'alias' : 'wildcard',
      aliasChain,
      captures: match.captures,
      candidates: match.targets,
      table,
    };
  }

  private checkAccess(caller: Caller, r: Resolution): void {
    const allowed = caller.allowedModels;
    if (!allowed || allowed.length === 0) return;
    const ok = allowed.some((m) => m === r.requestedName || m === r.group || (m.includes('*') && matchesPattern(m, r.requestedName)));
    if (!ok) {
      throw new GatewayError(ErrorCode.Forbidden, `This API key is not allowed to use model '${r.requestedName}'.`, { param: 'model' });
    }
  }

  private forEndpoint(r: Resolution, endpoint: Endpoint): Resolution {
    if (endpoint !== 'embeddings' && endpoint !== 'rerank') return r;
    const capable = r.candidates.filter((t) => providerInfo(t.provider)?.[endpoint]);
    if (capable.length === 0) {
      throw GatewayError.invalid(`Model '${r.requestedName}' does not support ${endpoint}.`, 'model');
    }
    return capable.length === r.candidates.length ? r : { ...r, candidates: capable };
  }
}

function matchesPattern(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(name);
}
