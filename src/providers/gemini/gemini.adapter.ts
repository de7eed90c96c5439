import { GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, type UpstreamRequest } from '../upstream-http.js';
import { fromGeminiEmbeddings, geminiEmbedRequest, readEmbeddingsBody } from './gemini-embeddings.translator.js';
import { googleErrorDetails } from './gemini-errors.js';
import { toGenerateContentRequest } from './gemini-request.translator.js';
import { toChatCompletion } from './gemini-response.translator.js';
import { toChatChunks } from './gemini-stream.translator.js';

/**
 * Gemini through Google AI Studio (generativelanguage.googleapis.com): Chat Completions are
 * translated to generateContent and back; /v1/responses and /v1/messages go through the
 * gateway's bridges to chat. The key travels in `x-goog-api-key`, never in the URL, so it
 * cannot end up in an access log.
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly name = 'gemini';

  supports(op: Operation): boolean {
    return op === 'chat' || op === 'embeddings';
  }

  async chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const res = await postJson(this.request(target, 'generateContent', toGenerateContentRequest(body, dropParams(target)) as unknown as JsonObject), ctx);
    return toChatCompletion(res, target.upstreamModel);
  }

  async chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const request = this.request(target, 'streamGenerateContent?alt=sse', toGenerateContentRequest(body, dropParams(target)) as unknown as JsonObject);
    const upstream = await postStream(request, ctx);
    return {
      headers: upstream.headers,
      events: toChatChunks(upstream.events, { provider: this.name, includeUsage: includeUsage(body), model: target.upstreamModel, secrets: request.secrets }),
    };
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, this.name));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, this.name));
  }

  async embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const ask = readEmbeddingsBody(body);
    const model = modelId(target.upstreamModel);
    const { method, body: payload } = geminiEmbedRequest(ask, model);
    const res = await postJson(this.request(target, method, payload), ctx);
    return fromGeminiEmbeddings(res, ask, target.upstreamModel);
  }

  private request(target: DeploymentTarget, method: string, body: JsonObject): UpstreamRequest {
    // GEMINI_API_KEY stands in for a missing api_key at load time (catalog apiKeyEnv), only without an api_base.
    const key = requireApiKey(target, true)!;
    return {
      provider: this.name,
      url: `${target.apiBase.replace(/\/+$/, '')}/models/${encodeURIComponent(modelId(target.upstreamModel))}:${method}`,
      headers: { ...target.settings.extraHeaders, 'x-goog-api-key': key },
      body,
      secrets: [...requestSecrets(target), key],
      inBandErrors: false,
      errorDetails: googleErrorDetails,
    };
  }
}

/** LiteLLM configs sometimes carry the API's own resource name (`models/gemini-2.5-pro`). */
export function modelId(upstreamModel: string): string {
  return upstreamModel.replace(/^models\//, '');
}

export function dropParams(target: DeploymentTarget): { dropParams: boolean } {
  return { dropParams: target.settings.dropParams === true };
}

export function includeUsage(body: JsonObject): boolean {
  return (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
}

export function notNative(target: DeploymentTarget, provider: string): GatewayError {
  return GatewayError.invalid(`Model '${target.group}' (provider ${provider}) does not serve the Responses API natively; it is served through the chat bridge.`, 'model');
}
