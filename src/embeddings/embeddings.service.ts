import { Injectable } from '@nestjs/common';
import { ResponseCacheService } from '../cache/response-cache.service.js';
import { DEPLOYMENT_HEADER } from '../chat/chat.service.js';
import { GatewayError } from '../common/gateway-error.js';
import type { GatewayResult } from '../common/gateway-result.js';
import { rewriteModel } from '../common/model-rewrite.js';
import type { RequestContext } from '../common/request-context.js';
import type { JsonObject } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import { RouterService } from '../routing/router.service.js';

/** /v1/embeddings: the same resolution and routing as chat, ending in the adapter's embeddings(). */
@Injectable()
export class EmbeddingsService {
  constructor(
    private readonly resolver: ModelResolutionService,
    private readonly router: RouterService,
    private readonly providers: ProviderRegistry,
    private readonly cache: ResponseCacheService,
  ) {}

  async create(body: JsonObject & { model: string }, ctx: RequestContext): Promise<GatewayResult> {
    // Resolution already keeps only deployments whose provider can embed (400 when none can).
    const resolution = this.resolver.resolve(body.model, 'embeddings', ctx.caller);
    if (this.cache.applies(body)) return this.cache.serve('embeddings', body, resolution, ctx, (b) => this.run(b, resolution, ctx));
    return this.run(body, resolution, ctx);
  }

  private async run(body: JsonObject & { model: string }, resolution: Resolution, ctx: RequestContext): Promise<GatewayResult> {
    const options = { requestId: ctx.requestId, signal: ctx.signal, stream: false, endpoint: 'embeddings' as const, caller: ctx.caller, trace: ctx.trace };
    const { result, target } = await this.router.execute(
      resolution,
      (t, c) => {
        const adapter = this.providers.get(t.provider);
        // The catalog and the adapter should agree; if they do not, say so instead of calling a missing route.
        if (!adapter.supports('embeddings')) {
          throw GatewayError.invalid(`Model '${t.requestedName}' does not support embeddings (provider ${t.provider}).`, 'model');
        }
        return adapter.embeddings(t, body, c);
      },
      options,
    );
    const json = rewriteModel(result, resolution.requestedName);
    return {
      kind: 'json',
      body: ctx.meter ? ctx.meter.json('embeddings', target, json) : json,
      headers: { [DEPLOYMENT_HEADER]: target.deploymentId },
    };
  }
}
