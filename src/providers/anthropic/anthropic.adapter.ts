import { GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, UpstreamRequest } from '../upstream-http.js';
import type { JsonOutputTool } from './anthropic-json-output.js';
import { DEFAULT_MAX_TOKENS, toMessagesCall } from './anthropic-request.translator.js';
import { toChatCompletion } from './anthropic-response.translator.js';
import { toChatChunks } from './anthropic-stream.translator.js';
import { ANTHROPIC_VERSION } from './anthropic-wire.types.js';
import { anthropicCallHeaders, nativeMessageEvents } from './anthropic-messages.js';

/**
 * Anthropic's Messages API behind a Chat Completions facade: requests and results, streamed
 * or not, are translated both ways, so the chat endpoint and the Responses bridge use
 * Claude models exactly as they use any OpenAI-compatible one.
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly name = 'anthropic';

  supports(op: Operation): boolean {
    return op === 'chat' || op === 'messages';
  }

  /** Native Messages: the client's body as sent, only `model` replaced by the deployment's id. */
  messages(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<JsonObject> {
    return postJson(this.nativeRequest(target, body, headers, '/v1/messages'), ctx);
  }

  async messagesStream(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const request = this.nativeRequest(target, body, headers, '/v1/messages');
    const upstream = await postStream(request, ctx);
    return { headers: upstream.headers, events: nativeMessageEvents(upstream.events, request.secrets ?? []) };
  }

  /** Anthropic's own count (POST /v1/messages/count_tokens): exact, and free of charge. */
  countTokens(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<JsonObject> {
    return postJson(this.nativeRequest(target, body, headers, '/v1/messages/count_tokens'), ctx);
  }

  async chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const { request, jsonTool } = this.request(target, body, false);
    const message = await postJson(request, ctx);
    return toChatCompletion(message, Date.now, jsonTool);
  }

  async chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const { request, jsonTool } = this.request(target, body, true);
    const upstream = await postStream(request, ctx);
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    // Overload and similar failures can arrive as the first event after a 200; the router
    // primes every stream on its first event, so those are retried like an HTTP error.
    return { headers: upstream.headers, events: toChatChunks(upstream.events, { includeUsage, jsonTool, secrets: request.secrets }) };
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, 'the Responses API natively; it is served through the chat bridge'));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, 'the Responses API natively; it is served through the chat bridge'));
  }

  embeddings(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, 'embeddings'));
  }

  private nativeRequest(target: DeploymentTarget, body: JsonObject, clientHeaders: Readonly<Record<string, string>>, path: string): UpstreamRequest {
    const apiKey = requireApiKey(target, true)!;
    return {
      provider: this.name,
      url: `${apiRoot(target.apiBase)}${path}`,
      headers: { ...anthropicCallHeaders(target.settings.extraHeaders, clientHeaders), 'x-api-key': apiKey },
      body: { ...body, model: target.upstreamModel },
      secrets: requestSecrets(target),
      inBandErrors: false,
    };
  }

  private request(target: DeploymentTarget, body: JsonObject, stream: boolean): { request: UpstreamRequest; jsonTool?: JsonOutputTool } {
    const apiKey = requireApiKey(target, true)!;
    const maxOutput = target.settings.modelInfo.max_output_tokens;
    const { request: messages, jsonTool } = toMessagesCall(body, {
      upstreamModel: target.upstreamModel,
      dropParams: target.settings.dropParams === true,
      defaultMaxTokens: typeof maxOutput === 'number' && maxOutput > 0 ? Math.floor(maxOutput) : DEFAULT_MAX_TOKENS,
      stream,
    });
    const request: UpstreamRequest = {
      provider: this.name,
      url: messagesUrl(target.apiBase),
      // Configured extra_headers may add beta flags or override the version; never the key.
      headers: { 'anthropic-version': ANTHROPIC_VERSION, ...target.settings.extraHeaders, 'x-api-key': apiKey },
      body: messages as unknown as JsonObject,
      // Anthropic echoes parts of a rejected key in its 401 message: never pass that on.
      secrets: requestSecrets(target),
      // Its `error` events are mapped by the stream translator, which knows Anthropic's error types.
      inBandErrors: false,
    };
    return { request, jsonTool };
  }
}

/** LiteLLM configs point at the host, at `/v1`, or at the full messages URL; all mean the same endpoint. */
export function messagesUrl(apiBase: string): string {
  return `${apiRoot(apiBase)}/v1/messages`;
}

function apiRoot(apiBase: string): string {
  return apiBase.replace(/\/+$/, '').replace(/\/v1(\/messages)?$/, '');
}

function notNative(target: DeploymentTarget, what: string): GatewayError {
  return GatewayError.invalid(`Model '${target.group}' (provider anthropic) does not serve ${what}.`, 'model');
}
