import { Injectable } from '@nestjs/common';
import { ResponseCacheService } from '../cache/response-cache.service.js';
import type { GatewayResult } from '../common/gateway-result.js';
import { rewriteModel, rewriteStreamModel } from '../common/model-rewrite.js';
import type { RequestContext } from '../common/request-context.js';
import type { JsonObject } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import { RouterService } from '../routing/router.service.js';

export const DEPLOYMENT_HEADER = 'x-switchboard-deployment';

@Injectable()
export class ChatService {
  constructor(
    private readonly resolver: ModelResolutionService,
    private readonly router: RouterService,
    private readonly providers: ProviderRegistry,
    private readonly cache: ResponseCacheService,
  ) {}

  async complete(body: JsonObject & { model: string; stream?: boolean }, ctx: RequestContext): Promise<GatewayResult> {
    const resolution = this.resolver.resolve(body.model, 'chat', ctx.caller);
    if (this.cache.applies(body)) return this.cache.serve('chat', body, resolution, ctx, (b) => this.run(b, resolution, ctx));
    return this.run(body, resolution, ctx);
  }

  private async run(body: JsonObject & { model: string; stream?: boolean }, resolution: Resolution, ctx: RequestContext): Promise<GatewayResult> {
    const options = { requestId: ctx.requestId, signal: ctx.signal, stream: body.stream === true, endpoint: 'chat' as const, caller: ctx.caller, trace: ctx.trace };
    const meter = ctx.meter;
    if (body.stream === true) {
      const { result, target } = await this.router.execute(
        resolution,
        (t, c) => this.providers.get(t.provider).chatStream(t, meter ? meter.chatStreamBody(body, t) : body, c),
        options,
      );
      const events = rewriteStreamModel(result.events, resolution.requestedName);
      return {
        kind: 'sse',
        flavour: 'chat',
        events: meter ? meter.stream('chat', target, events, body) : events,
        headers: { ...result.headers, [DEPLOYMENT_HEADER]: target.deploymentId },
      };
    }
    const { result, target } = await this.router.execute(
      resolution,
      (t, c) => this.providers.get(t.provider).chat(t, body, c),
      options,
    );
    const json = rewriteModel(result, resolution.requestedName);
    return {
      kind: 'json',
      body: meter ? meter.json('chat', target, json) : json,
      headers: { [DEPLOYMENT_HEADER]: target.deploymentId },
    };
  }
}
