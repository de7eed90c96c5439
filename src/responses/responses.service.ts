import { Injectable } from '@nestjs/common';
import { ResponseCacheService } from '../cache/response-cache.service.js';
import type { GatewayResult } from '../common/gateway-result.js';
import { rewriteModel, rewriteStreamModel } from '../common/model-rewrite.js';
import type { RequestContext } from '../common/request-context.js';
import type { JsonObject, UpstreamCallContext, UpstreamStream } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import { ResolvedTarget, RouterService } from '../routing/router.service.js';
import { DEPLOYMENT_HEADER } from '../chat/chat.service.js';
import { ResponsesBridgeService } from './bridge/responses-bridge.service.js';
import { ConversationStoreService } from './conversation/conversation-store.service.js';
import type { ConversationTurn } from './conversation/conversation-turn.js';

/**
 * /v1/responses. Resolution and routing are exactly the chat path's; only the call differs:
 * the provider's native Responses API where it has one, the chat bridge otherwise. The choice
 * is made per attempt, because one group may mix native and bridged deployments.
 */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly resolver: ModelResolutionService,
    private readonly router: RouterService,
    private readonly providers: ProviderRegistry,
    private readonly bridge: ResponsesBridgeService,
    private readonly conversations: ConversationStoreService,
    private readonly cache: ResponseCacheService,
  ) {}

  async create(body: JsonObject & { model: string; stream?: boolean }, ctx: RequestContext): Promise<GatewayResult> {
    const resolution = this.resolver.resolve(body.model, 'responses', ctx.caller);
    if (this.cache.applies(body)) return this.cache.serve('responses', body, resolution, ctx, (b) => this.run(b, resolution, ctx));
    return this.run(body, resolution, ctx);
  }

  private async run(body: JsonObject & { model: string; stream?: boolean }, resolution: Resolution, ctx: RequestContext): Promise<GatewayResult> {
    const options = { requestId: ctx.requestId, signal: ctx.signal, stream: body.stream === true, endpoint: 'responses' as const, caller: ctx.caller, trace: ctx.trace };
    // Only a bridged attempt needs it; one turn serves every attempt, so the store is read once.
    let turn: ConversationTurn | undefined;
    const bridged = () => (turn ??= this.conversations.turn(body, ctx.caller));
    if (body.stream === true) {
      const { result, target } = await this.router.execute(resolution, (t, c) => this.stream(t, body, bridged, c), options);
      const events = rewriteStreamModel(result.events, resolution.requestedName);
      return {
        kind: 'sse',
        flavour: 'responses',
        events: ctx.meter ? ctx.meter.stream('responses', target, events, body) : events,
        headers: { ...result.headers, [DEPLOYMENT_HEADER]: target.deploymentId },
      };
    }
    const { result, target } = await this.router.execute(resolution, (t, c) => this.json(t, body, bridged, c), options);
    const json = rewriteModel(result, resolution.requestedName);
    return {
      kind: 'json',
      body: ctx.meter ? ctx.meter.json('responses', target, json) : json,
      headers: { [DEPLOYMENT_HEADER]: target.deploymentId },
    };
  }

  /** Native deployments get previous_response_id and item references as sent: the upstream keeps that state. */
  private async json(target: ResolvedTarget, body: JsonObject, bridged: () => ConversationTurn, ctx: UpstreamCallContext): Promise<JsonObject> {
    const adapter = this.providers.get(target.provider);
    if (this.isNative(target)) return adapter.responses(target, body, ctx);
    return this.bridge.json(adapter, target, bridged(), ctx);
  }

  private async stream(target: ResolvedTarget, body: JsonObject, bridged: () => ConversationTurn, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const adapter = this.providers.get(target.provider);
    if (this.isNative(target)) return adapter.responsesStream(target, body, ctx);
    return this.bridge.stream(adapter, target, bridged(), ctx);
  }

  private isNative(target: ResolvedTarget): boolean {
    return this.providers.get(target.provider).supports('responses') && !target.settings.useChatForResponses;
  }
}
