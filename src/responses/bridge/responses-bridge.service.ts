import { Injectable, Logger } from '@nestjs/common';
import type { JsonObject, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../../providers/provider-adapter.js';
import { providerInfo } from '../../providers/provider-catalog.js';
import type { ResolvedTarget } from '../../routing/router.service.js';
import { IdSource, randomIds } from './bridge-ids.js';
import { BridgeItemStore } from './bridge-item-store.js';
import { BridgeResponseContext, chatToResponse } from './chat-to-response.js';
import { chatStreamToResponseEvents } from './chat-stream-to-events.js';
import { BridgeRequestOptions, responsesToChat } from './responses-to-chat.js';

/**
 * Serves /v1/responses on top of any adapter's chat()/chatStream(): translate the request,
 * call chat on the deployment the router picked, translate the result back.
 */
@Injectable()
export class ResponsesBridgeService {
  private readonly logger = new Logger('ResponsesBridge');
  private readonly items = new BridgeItemStore();
  private readonly ids: IdSource = randomIds;

  async json(adapter: ProviderAdapter, target: ResolvedTarget, request: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const chat = await adapter.chat(target, this.toChat(target, request, false, ctx), ctx);
    const response = chatToResponse(chat, request, this.context(target));
    this.items.remember(response.output);
    return response;
  }

  async stream(adapter: ProviderAdapter, target: ResolvedTarget, request: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const upstream = await adapter.chatStream(target, this.toChat(target, request, true, ctx), ctx);
    return {
      headers: upstream.headers,
      events: chatStreamToResponseEvents(upstream.events, request, this.context(target), (response) => this.items.remember(response.output)),
    };
  }

  private toChat(target: ResolvedTarget, request: JsonObject, stream: boolean, ctx: UpstreamCallContext): JsonObject {
    const options: BridgeRequestOptions = {
      dropParams: target.settings.dropParams === true,
      maxTokensField: maxTokensField(target),
      modelName: target.requestedName,
      provider: target.provider,
      lookupItem: (id) => this.items.lookup(id),
    };
    const { body, dropped } = responsesToChat({ ...request, stream }, options);
    if (dropped.length > 0) {
      this.logger.debug(`request ${ctx.requestId}: drop_params dropped ${dropped.join(', ')} for ${target.deploymentId}`);
    }
    return body;
  }

  private context(target: ResolvedTarget): BridgeResponseContext {
    return { requestedName: target.requestedName, ids: this.ids, now: () => Math.floor(Date.now() / 1000) };
  }
}

/**
 * OpenAI's own chat endpoint refuses max_tokens for reasoning models and wants
 * max_completion_tokens; most other chat servers only know max_tokens.
 */
export function maxTokensField(target: ResolvedTarget): 'max_tokens' | 'max_completion_tokens' {
  if (target.provider === 'azure') return 'max_completion_tokens';
  const openAiBase = providerInfo('openai')?.defaultApiBase;
  if (target.provider === 'openai' && target.apiBase.replace(/\/+$/, '') === openAiBase) return 'max_completion_tokens';
  return 'max_tokens';
}
