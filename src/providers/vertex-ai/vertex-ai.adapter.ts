import { GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { anthropicCallHeaders, nativeMessageEvents } from '../anthropic/anthropic-messages.js';
import { DEFAULT_MAX_TOKENS, toMessagesCall } from '../anthropic/anthropic-request.translator.js';
import { toChatCompletion as anthropicToChat } from '../anthropic/anthropic-response.translator.js';
import { toChatChunks as anthropicChunks } from '../anthropic/anthropic-stream.translator.js';
import { fromVertexEmbeddings, readEmbeddingsBody, vertexEmbedRequest } from '../gemini/gemini-embeddings.translator.js';
import { googleErrorDetails } from '../gemini/gemini-errors.js';
import { dropParams, includeUsage, modelId, notNative } from '../gemini/gemini.adapter.js';
import { toGenerateContentRequest } from '../gemini/gemini-request.translator.js';
import { toChatCompletion as geminiToChat } from '../gemini/gemini-response.translator.js';
import { toChatChunks as geminiChunks } from '../gemini/gemini-stream.translator.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, type UpstreamRequest, withinCallBudget } from '../upstream-http.js';
import { resolveProject, vertexAuthFor } from './vertex-auth.js';
import { vertexLocation } from './vertex-config.js';

/** The body field that selects the Messages API version on Vertex (it replaces the anthropic-version header). */
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/**
 * Vertex AI: Google's Gemini models (generateContent, the same wire format as AI Studio, so the
 * gemini/ translators serve both) and Anthropic's Claude models (rawPredict, Anthropic's
 * Messages body with the version in the body and the model in the URL, so the anthropic/
 * translators serve them). Auth is an OAuth token from the deployment's service-account key or
 * the application default credentials.
 */
export class VertexAiAdapter implements ProviderAdapter {
  readonly name = 'vertex_ai';

  supports(op: Operation, target?: DeploymentTarget): boolean {
    const claude = target !== undefined && isClaude(target);
    if (op === 'chat') return true;
    if (op === 'messages') return claude;
    if (op === 'embeddings') return !claude;
    return false;
  }

  async chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    if (isClaude(target)) {
      const { payload, jsonTool } = toVertexClaudeBody(target, body, false);
      const { result: message } = await this.send(target, ctx, () => this.request(target, ctx, 'anthropic', 'rawPredict', payload), postJson);
      return anthropicToChat(message, Date.now, jsonTool);
    }
    const { result: res } = await this.send(target, ctx, () => this.request(target, ctx, 'google', 'generateContent', geminiBody(target, body)), postJson);
    return geminiToChat(res, target.upstreamModel);
  }

  async chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    if (isClaude(target)) {
      const { payload, jsonTool } = toVertexClaudeBody(target, body, true);
      const { request, result: upstream } = await this.send(target, ctx, () => this.request(target, ctx, 'anthropic', 'streamRawPredict', payload), postStream);
      return { headers: upstream.headers, events: anthropicChunks(upstream.events, { includeUsage: includeUsage(body), jsonTool, secrets: request.secrets }) };
    }
    const { request, result: upstream } = await this.send(target, ctx, () => this.request(target, ctx, 'google', 'streamGenerateContent?alt=sse', geminiBody(target, body)), postStream);
    return {
      headers: upstream.headers,
      events: geminiChunks(upstream.events, { provider: this.name, includeUsage: includeUsage(body), model: target.upstreamModel, secrets: request.secrets }),
    };
  }

  /** Claude's Messages API as the client wrote it: only the version moves into the body and the model out of it. */
  async messages(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<JsonObject> {
    return (await this.send(target, ctx, () => this.request(target, ctx, 'anthropic', 'rawPredict', nativeBody(body), betaHeader(target, headers)), postJson)).result;
  }

  async messagesStream(target: DeploymentTarget, body: JsonObject, headers: Readonly<Record<string, string>>, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const { request, result: upstream } = await this.send(target, ctx, () => this.request(target, ctx, 'anthropic', 'streamRawPredict', nativeBody(body), betaHeader(target, headers)), postStream);
    return { headers: upstream.headers, events: nativeMessageEvents(upstream.events, request.secrets ?? []) };
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, this.name));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, this.name));
  }

  async embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    if (isClaude(target)) throw GatewayError.invalid(`Model '${target.group}' (a Claude model on vertex_ai) does not serve embeddings.`, 'model');
    const ask = readEmbeddingsBody(body);
    const { result: res } = await this.send(target, ctx, () => this.request(target, ctx, 'google', 'predict', vertexEmbedRequest(ask)), postJson);
    return fromVertexEmbeddings(res, ask, target.upstreamModel);
  }

  /**
   * One call, and a second one with a fresh token if Vertex refused the first as UNAUTHENTICATED:
   * a token revoked or invalidated by a key rotation before its expiry would otherwise fail every
   * request (and cool the deployment down) for up to an hour.
   */
  private async send<T>(
    target: DeploymentTarget,
    ctx: UpstreamCallContext,
    build: () => Promise<UpstreamRequest>,
    post: (request: UpstreamRequest, ctx: UpstreamCallContext) => Promise<T>,
  ): Promise<{ request: UpstreamRequest; result: T }> {
    const first = await build();
    try {
      return { request: first, result: await post(first, ctx) };
    } catch (err) {
      if (!(err instanceof GatewayError) || err.upstreamStatus !== 401 || err.upstreamType !== 'UNAUTHENTICATED' || ctx.signal.aborted) throw err;
      vertexAuthFor(target.deployment).invalidate();
      const second = await build();
      return { request: second, result: await post(second, ctx) };
    }
  }

  // Claude ids carry their version after '@' (claude-sonnet-4-5@20250929), which Vertex wants as written.
  private async request(
    target: DeploymentTarget,
    ctx: UpstreamCallContext,
    publisher: 'google' | 'anthropic',
    method: string,
    body: JsonObject,
    extraHeaders: Readonly<Record<string, string>> = target.settings.extraHeaders,
  ): Promise<UpstreamRequest> {
    // Stops a deployment taken out of service (an unset variable, undecryptable credentials) first.
    requireApiKey(target, false);
    const d = target.deployment;
    const auth = vertexAuthFor(d);
    const [token, project] = await withinCallBudget(Promise.all([auth.token(), resolveProject(d, auth)]), ctx, 'Upstream provider vertex_ai: getting an access token took too long.');
    const location = vertexLocation(d);
    const path = `/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}/publishers/${publisher}/models/${encodeURIComponent(modelId(target.upstreamModel)).replace(/%40/g, '@')}:${method}`;
    return {
      provider: this.name,
      url: `${vertexHost(d.apiBase, location)}${path}`,
      headers: { ...extraHeaders, authorization: `Bearer ${token}` },
      body,
      secrets: [...requestSecrets(target), ...auth.secrets()],
      inBandErrors: false,
      errorDetails: googleErrorDetails,
    };
  }
}

/** Claude models live under publishers/anthropic; everything else named here is Google's. */
export function isClaude(target: DeploymentTarget): boolean {
  return /^claude-/.test(modelId(target.upstreamModel));
}

/**
 * The regional endpoint (`global` has no region prefix). An api_base replaces the scheme and
 * host, with or without a trailing `/v1`; the project/location/model path is always added.
 */
export function vertexHost(apiBase: string | undefined, location: string): string {
  if (apiBase) return apiBase.replace(/\/+$/, '').replace(/\/v1$/, '');
  return location === 'global' ? 'https://aiplatform.googleapis.com' : `https://${location}-aiplatform.googleapis.com`;
}

function geminiBody(target: DeploymentTarget, body: JsonObject): JsonObject {
  return toGenerateContentRequest(body, dropParams(target)) as unknown as JsonObject;
}

/** Chat Completions → the rawPredict body: Anthropic's Messages request with the version in it and no model. */
export function toVertexClaudeBody(target: Pick<DeploymentTarget, 'upstreamModel' | 'settings'>, body: JsonObject, stream: boolean) {
  const maxOutput = target.settings.modelInfo.max_output_tokens;
  const { request, jsonTool } = toMessagesCall(body, {
    upstreamModel: target.upstreamModel,
    dropParams: target.settings.dropParams === true,
    defaultMaxTokens: typeof maxOutput === 'number' && maxOutput > 0 ? Math.floor(maxOutput) : DEFAULT_MAX_TOKENS,
    stream,
  });
  const { model: _model, ...rest } = request as unknown as JsonObject;
  return { payload: { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest } as JsonObject, jsonTool };
}

function nativeBody(body: JsonObject): JsonObject {
  const { model: _model, ...rest } = body;
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
}

/** Vertex takes beta flags as the anthropic-beta header; the version header has no meaning there. */
function betaHeader(target: DeploymentTarget, client: Readonly<Record<string, string>>): Record<string, string> {
  const { 'anthropic-version': _version, ...rest } = anthropicCallHeaders(target.settings.extraHeaders, client);
  return rest;
}
