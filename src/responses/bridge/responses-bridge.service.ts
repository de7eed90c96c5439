import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../../providers/provider-adapter.js';
import { providerInfo } from '../../providers/provider-catalog.js';
import type { ResolvedTarget } from '../../routing/router.service.js';
import { ConversationStoreService } from '../conversation/conversation-store.service.js';
import type { ConversationTurn, ExpandedTurn } from '../conversation/conversation-turn.js';
import { IdSource, randomIds } from './bridge-ids.js';
import { BridgeResponseContext, chatToResponse } from './chat-to-response.js';
import { chatStreamToResponseEvents } from './chat-stream-to-events.js';
import { BridgeRequestOptions, responsesToChat } from './responses-to-chat.js';

/**
 * Serves /v1/responses on top of any adapter's chat()/chatStream(): translate the request,
 * call chat on the deployment the router picked, translate the result back. Conversation state
 * (previous_response_id, item_reference, store) lives in the ConversationStoreService.
 */
@Injectable()
export class ResponsesBridgeService {
  private readonly logger = new Logger('ResponsesBridge');
  private readonly ids: IdSource = randomIds;

  constructor(private readonly conversations: ConversationStoreService) {}

  async json(adapter: ProviderAdapter, target: ResolvedTarget, turn: ConversationTurn, ctx: UpstreamCallContext): Promise<JsonObject> {
    const expanded = await turn.expand();
    const chat = await adapter.chat(target, this.toChat(target, turn.request, expanded, false, ctx), ctx).catch(inResponsesTerms);
    const response = chatToResponse(chat, turn.request, this.context(target, turn));
    return this.conversations.remember(turn, turn.storedInput(expanded), response, ctx.requestId);
  }

  async stream(adapter: ProviderAdapter, target: ResolvedTarget, turn: ConversationTurn, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const expanded = await turn.expand();
    const upstream = await adapter.chatStream(target, this.toChat(target, turn.request, expanded, true, ctx), ctx).catch(inResponsesTerms);
    return {
      headers: upstream.headers,
      events: chatStreamToResponseEvents(upstream.events, turn.request, this.context(target, turn), (response) =>
        this.conversations.remember(turn, turn.storedInput(expanded), response, ctx.requestId),
      ),
    };
  }

  private toChat(target: ResolvedTarget, request: JsonObject, expanded: ExpandedTurn, stream: boolean, ctx: UpstreamCallContext): JsonObject {
    const options: BridgeRequestOptions = {
      dropParams: target.settings.dropParams === true,
      maxTokensField: maxTokensField(target),
      modelName: target.requestedName,
      provider: target.provider,
      lookupItem: (id) => expanded.items.get(id),
      history: expanded.history,
    };
    const { body, dropped } = responsesToChat({ ...request, stream }, options);
    if (dropped.length > 0) {
      this.logger.debug(`request ${ctx.requestId}: drop_params dropped ${dropped.join(', ')} for ${target.deploymentId}`);
    }
    return body;
  }

  private context(target: ResolvedTarget, turn: ConversationTurn): BridgeResponseContext {
    return { requestedName: target.requestedName, ids: this.ids, now: () => Math.floor(Date.now() / 1000), stored: turn.keep };
  }
}

/** Chat parameter → the Responses parameter the client actually sent. */
const RESPONSES_PARAM: Readonly<Record<string, string>> = {
  max_tokens: 'max_output_tokens',
  max_completion_tokens: 'max_output_tokens',
  response_format: 'text.format',
  reasoning_effort: 'reasoning.effort',
  verbosity: 'text.verbosity',
  messages: 'input',
};

/**
 * An adapter that rejects a translated chat parameter (Anthropic has no seed, say)
 * names the chat parameter; the client sent the Responses one, so the error is restated.
 * Upstream rejections are left alone: they carry the provider's own words.
 */
function inResponsesTerms(err: unknown): never {
  if (err instanceof GatewayError && err.code === ErrorCode.InvalidRequest && err.param) {
    // Chat message indexes do not map onto input item indexes, so only the top-level name is restated.
    const head = err.param.split(/[.[]/)[0];
    const param = RESPONSES_PARAM[head];
    if (param) {
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        `${err.message} (The request was translated from the Responses API: '${head}' comes from '${param}'.)`,
        { param, cause: err },
      );
    }
  }
  throw err;
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
