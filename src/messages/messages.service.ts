import { Injectable } from '@nestjs/common';
import { ResponseCacheService } from '../cache/response-cache.service.js';
import { DEPLOYMENT_HEADER } from '../chat/chat.service.js';
import type { GatewayResult } from '../common/gateway-result.js';
import { rewriteModel } from '../common/model-rewrite.js';
import type { RequestContext } from '../common/request-context.js';
import type { JsonObject, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';
import type { Resolution } from '../routing/model-resolution.service.js';
import type { DeploymentTarget } from '../routing/routing-table.js';
import { ResolvedTarget, RouterService } from '../routing/router.service.js';
import { chatStreamToMessagesEvents } from './bridge/chat-stream-to-messages.js';
import { chatToMessagesResponse } from './bridge/chat-to-messages.js';
import { messagesToChatRequest } from './bridge/messages-to-chat.js';
import { estimateInputTokens } from './bridge/token-estimate.js';
import { withRequestedModel } from './messages-model.js';

/** Says how a count_tokens answer was obtained: `exact` (the provider counted) or `estimate`. */
export const TOKEN_COUNT_HEADER = 'x-switchboard-token-count';

type ClientHeaders = Readonly<Record<string, string>>;

/**
 * /v1/messages. Resolution and routing are the chat path's; only the call differs, per attempt
 * (a group may mix providers): Anthropic deployments get the body natively, everything else goes
 * through the Messages <-> Chat Completions bridge.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly resolver: ModelResolutionService,
    private readonly router: RouterService,
    private readonly providers: ProviderRegistry,
    private readonly cache: ResponseCacheService,
  ) {}

  async create(body: JsonObject & { model: string; stream?: boolean }, headers: ClientHeaders, ctx: RequestContext): Promise<GatewayResult> {
    const resolution = this.resolver.resolve(body.model, 'messages', ctx.caller);
    if (this.cache.applies(body)) {
      // The headers the upstream gets change the answer (beta features, API version): part of the key.
      return this.cache.serve('messages', body, resolution, ctx, (b) => this.run(b, headers, resolution, ctx), { headers });
    }
    return this.run(body, headers, resolution, ctx);
  }

  private async run(body: JsonObject & { model: string; stream?: boolean }, headers: ClientHeaders, resolution: Resolution, ctx: RequestContext): Promise<GatewayResult> {
    const stream = body.stream === true;
    const options = { requestId: ctx.requestId, signal: ctx.signal, stream, endpoint: 'messages' as const, caller: ctx.caller, trace: ctx.trace };
    const meter = ctx.meter;
    if (stream) {
      const { result, target } = await this.router.execute(resolution, (t, c) => this.stream(t, body, headers, resolution, c), options);
      return {
        kind: 'sse',
        flavour: 'messages',
        events: meter ? meter.stream('messages', target, result.events, body) : result.events,
        headers: { ...result.headers, [DEPLOYMENT_HEADER]: target.deploymentId },
      };
    }
    const { result, target } = await this.router.execute(resolution, (t, c) => this.json(t, body, headers, resolution, c), options);
    const json = rewriteModel(result, resolution.requestedName);
    return {
      kind: 'json',
      body: meter ? meter.json('messages', target, json) : json,
      headers: { [DEPLOYMENT_HEADER]: target.deploymentId },
    };
  }

  /**
   * Anthropic's own count where the group has an Anthropic deployment (through the router, so
   * cooldowns, retries and fallbacks apply; no spend is charged), otherwise an estimate computed
   * here without any upstream call. Never a completion.
   */
  async countTokens(body: JsonObject & { model: string }, headers: ClientHeaders, ctx: RequestContext): Promise<GatewayResult> {
    const resolution = this.resolver.resolve(body.model, 'messages', ctx.caller);
    if (!resolution.candidates.some((t) => this.isNative(this.providers.get(t.provider), t))) return this.estimate(body);
    const options = { requestId: ctx.requestId, signal: ctx.signal, stream: false, endpoint: 'messages' as const, caller: ctx.caller, trace: ctx.trace };
    const { result, target } = await this.router.execute(
      resolution,
      async (t, c): Promise<{ body: JsonObject; exact: boolean }> => {
        const adapter = this.providers.get(t.provider);
        if (this.isNative(adapter, t) && adapter.countTokens) return { body: await adapter.countTokens(t, body, headers, c), exact: true };
        return { body: this.estimateBody(body), exact: false };
      },
      options,
    );
    return {
      kind: 'json',
      body: result.body,
      headers: { [DEPLOYMENT_HEADER]: target.deploymentId, [TOKEN_COUNT_HEADER]: result.exact ? 'exact' : 'estimate' },
    };
  }

  private json(target: ResolvedTarget, body: JsonObject, headers: ClientHeaders, resolution: Resolution, ctx: UpstreamCallContext): Promise<JsonObject> {
    const adapter = this.providers.get(target.provider);
    if (this.isNative(adapter, target)) return adapter.messages!(target, body, headers, ctx);
    return this.bridgedJson(adapter, target, body, resolution, ctx);
  }

  private async stream(
    target: ResolvedTarget,
    body: JsonObject,
    headers: ClientHeaders,
    resolution: Resolution,
    ctx: UpstreamCallContext,
  ): Promise<UpstreamStream> {
    const adapter = this.providers.get(target.provider);
    if (this.isNative(adapter, target)) {
      const upstream = await adapter.messagesStream!(target, body, headers, ctx);
      return { headers: upstream.headers, events: withRequestedModel(upstream.events, resolution.requestedName) };
    }
    return this.bridgedStream(adapter, target, body, resolution, ctx);
  }

  /** Per target: one adapter (vertex_ai) serves Claude natively and Gemini through the bridge. */
  private isNative(adapter: ProviderAdapter, target: DeploymentTarget): boolean {
    return adapter.supports('messages', target) && adapter.messages !== undefined && adapter.messagesStream !== undefined;
  }

  /** Translated per attempt: drop_params is a deployment setting, and a group may mix providers. */
  private async bridgedJson(adapter: ProviderAdapter, target: ResolvedTarget, body: JsonObject, r: Resolution, ctx: UpstreamCallContext): Promise<JsonObject> {
    const chat = messagesToChatRequest(body, { dropParams: target.settings.dropParams === true });
    return chatToMessagesResponse(await adapter.chat(target, chat, ctx), r.requestedName);
  }

  private async bridgedStream(adapter: ProviderAdapter, target: ResolvedTarget, body: JsonObject, r: Resolution, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const chat = messagesToChatRequest({ ...body, stream: true }, { dropParams: target.settings.dropParams === true });
    const upstream = await adapter.chatStream(target, chat, ctx);
    return { headers: upstream.headers, events: chatStreamToMessagesEvents(upstream.events, r.requestedName) };
  }

  private estimate(body: JsonObject): GatewayResult {
    return { kind: 'json', body: this.estimateBody(body), headers: { [TOKEN_COUNT_HEADER]: 'estimate' } };
  }

  /** `estimated: true` marks it for a reader of the body; the header says the same for proxies and logs. */
  private estimateBody(body: JsonObject): JsonObject {
    return { input_tokens: estimateInputTokens(body), estimated: true };
  }
}
