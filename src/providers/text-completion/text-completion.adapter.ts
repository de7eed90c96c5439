import { GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, UpstreamRequest } from '../upstream-http.js';
import { toCompletionRequest } from './text-completion-request.translator.js';
import { toChatChunks, toChatCompletion } from './text-completion-response.translator.js';

/**
 * `text-completion-openai/<model>`: models served only on OpenAI's legacy `/v1/completions`
 * (gpt-3.5-turbo-instruct, davinci-002, babbage-002). Chat requests are translated to a
 * completion and back, so /v1/chat/completions, the Responses bridge and the Messages bridge
 * all reach them; embeddings and native Responses are not theirs.
 */
export class TextCompletionAdapter implements ProviderAdapter {
  constructor(readonly name: string) {}

  supports(op: Operation): boolean {
    return op === 'chat';
  }

  async chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const completion = await postJson(this.request(target, body), ctx);
    return toChatCompletion(completion);
  }

  async chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const upstream = await postStream(this.request(target, body), ctx);
    return { headers: upstream.headers, events: toChatChunks(upstream.events) };
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notServed(target, 'the Responses API natively; it is served through the chat bridge'));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notServed(target, 'the Responses API natively; it is served through the chat bridge'));
  }

  embeddings(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notServed(target, 'embeddings'));
  }

  private request(target: DeploymentTarget, body: JsonObject): UpstreamRequest {
    const key = requireApiKey(target, false);
    const headers: Record<string, string> = { ...target.settings.extraHeaders };
    if (key) headers.authorization = `Bearer ${key}`;
    if (target.credentials.organization) headers['openai-organization'] = target.credentials.organization;
    return {
      provider: this.name,
      url: `${target.apiBase}/completions`,
      headers,
      body: toCompletionRequest(body, { upstreamModel: target.upstreamModel, dropParams: target.settings.dropParams === true }),
      secrets: requestSecrets(target),
    };
  }
}

function notServed(target: DeploymentTarget, what: string): GatewayError {
  return GatewayError.invalid(`Model '${target.group}' (provider ${target.provider}) does not serve ${what}.`, 'model');
}
