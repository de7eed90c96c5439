import { GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, UpstreamRequest } from '../upstream-http.js';
import { fromCohereEmbed, fromCohereRerank, toCohereEmbed, toCohereRerank } from './cohere-embed.translator.js';
import { toCohereChat } from './cohere-request.translator.js';
import { toChatCompletion } from './cohere-response.translator.js';
import { toChatChunks } from './cohere-stream.translator.js';

/**
 * Cohere's v2 API (chat, embed, rerank) behind the gateway's OpenAI-shaped operations. Chat is
 * translated both ways, streamed or not, so /v1/chat/completions, the Responses bridge and the
 * Messages bridge use Command models like any other chat model.
 */
export class CohereAdapter implements ProviderAdapter {
  /** `cohere`, or LiteLLM's older `cohere_chat` prefix for the same API. */
  constructor(readonly name: string = 'cohere') {}

  supports(op: Operation): boolean {
    return op === 'chat' || op === 'embeddings' || op === 'rerank';
  }

  async chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const request = this.request(target, '/v2/chat', toCohereChat(body, this.chatOptions(target, false)));
    return toChatCompletion(await postJson(request, ctx), target.upstreamModel, Date.now, request.secrets);
  }

  async chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const request = this.request(target, '/v2/chat', toCohereChat(body, this.chatOptions(target, true)));
    // Cohere's stream events are not chat chunks: the translator reads its failures, not upstream-http.
    const upstream = await postStream({ ...request, inBandErrors: false }, ctx);
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    return {
      headers: upstream.headers,
      events: toChatChunks(upstream.events, { includeUsage, upstreamModel: target.upstreamModel, secrets: request.secrets }),
    };
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, this.name, 'the Responses API natively; it is served through the chat bridge'));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, this.name, 'the Responses API natively; it is served through the chat bridge'));
  }

  async embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const request = this.request(target, '/v2/embed', toCohereEmbed(body, target.upstreamModel, target.settings.dropParams === true));
    return fromCohereEmbed(await postJson(request, ctx), target.upstreamModel, body.encoding_format);
  }

  async rerank(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const request = this.request(target, '/v2/rerank', toCohereRerank(body, target.upstreamModel));
    return fromCohereRerank(await postJson(request, ctx));
  }

  private chatOptions(target: DeploymentTarget, stream: boolean) {
    return { upstreamModel: target.upstreamModel, dropParams: target.settings.dropParams === true, stream };
  }

  private request(target: DeploymentTarget, path: string, body: JsonObject): UpstreamRequest {
    const apiKey = requireApiKey(target, true)!;
    return {
      provider: this.name,
      url: `${cohereRoot(target.apiBase)}${path}`,
      // Configured extra_headers may add e.g. X-Client-Name; never replace the key.
      headers: { ...target.settings.extraHeaders, authorization: `Bearer ${apiKey}` },
      body,
      secrets: requestSecrets(target),
    };
  }
}

/**
 * LiteLLM configs name the host (https://api.cohere.ai), a version root (/v1, /v2) or a full
 * endpoint URL (…/v2/chat); all mean the same API root.
 */
export function cohereRoot(apiBase: string): string {
  return apiBase.replace(/\/+$/, '').replace(/\/v[12](\/(chat|embed|rerank))?$/, '');
}

function notNative(target: DeploymentTarget, provider: string, what: string): GatewayError {
  return GatewayError.invalid(`Model '${target.group}' (provider ${provider}) does not serve ${what}.`, 'model');
}
