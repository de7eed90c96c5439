import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { embeddingList, encodingFormat, inputTexts, rejectUnknown } from '../embedding-vectors.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson } from '../upstream-http.js';

/** Embeddings fields read here; Voyage's own (input_type, truncation) pass on as written. */
const EMBED_FIELDS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user', 'input_type', 'truncation']);

/**
 * Voyage AI: embeddings (POST /v1/embeddings) and rerank (POST /v1/rerank). It has no chat
 * models, so chat, Responses and Messages requests for a Voyage deployment are a 400.
 */
export class VoyageAdapter implements ProviderAdapter {
  readonly name = 'voyage';

  supports(op: Operation): boolean {
    return op === 'embeddings' || op === 'rerank';
  }

  chat(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, this.name, 'chat completions (Voyage AI has embedding and rerank models only)'));
  }

  chatStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, this.name, 'chat completions (Voyage AI has embedding and rerank models only)'));
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, this.name, 'the Responses API (Voyage AI has embedding and rerank models only)'));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, this.name, 'the Responses API (Voyage AI has embedding and rerank models only)'));
  }

  async embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    rejectUnknown(body, EMBED_FIELDS, target.settings.dropParams === true, 'Voyage', 'embeddings');
    encodingFormat(body.encoding_format);
    const request: JsonObject = { model: target.upstreamModel, input: inputTexts(body.input, 'Voyage') };
    if (typeof body.input_type === 'string') request.input_type = body.input_type;
    if (typeof body.dimensions === 'number') request.output_dimension = body.dimensions;
    if (typeof body.truncation === 'boolean') request.truncation = body.truncation;
    // Always floats: a base64 answer is encoded by the gateway in OpenAI's exact format.
    const res = await postJson(this.request(target, '/embeddings', request), ctx);
    const data = res.data as { embedding?: unknown; index?: unknown }[] | undefined;
    if (!Array.isArray(data) || !data.every((d) => Array.isArray(d?.embedding))) {
      throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider voyage returned an embeddings answer without embeddings.');
    }
    const ordered = [...data].sort((a, b) => Number(a.index ?? 0) - Number(b.index ?? 0)).map((d) => d.embedding as number[]);
    return embeddingList(ordered, target.upstreamModel, tokens(res), body.encoding_format);
  }

  /** Cohere-shaped in and out: Voyage calls top_n `top_k` and answers in `data`. */
  async rerank(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const request: JsonObject = { model: target.upstreamModel, query: body.query, documents: body.documents };
    if (typeof body.top_n === 'number') request.top_k = body.top_n;
    const res = await postJson(this.request(target, '/rerank', request), ctx);
    const data = res.data as { index?: unknown; relevance_score?: unknown }[] | undefined;
    if (!Array.isArray(data)) throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider voyage returned a rerank answer without data.');
    return {
      id: typeof res.id === 'string' ? res.id : undefined,
      results: data.map((d) => ({ index: d.index, relevance_score: d.relevance_score })),
      meta: { tokens: { input_tokens: tokens(res), output_tokens: 0 } },
    };
  }

  private request(target: DeploymentTarget, path: string, body: JsonObject) {
    const apiKey = requireApiKey(target, true)!;
    return {
      provider: this.name,
      url: `${voyageRoot(target.apiBase)}${path}`,
      headers: { ...target.settings.extraHeaders, authorization: `Bearer ${apiKey}` },
      body,
      secrets: requestSecrets(target),
    };
  }
}

/** An api_base may be the host, the /v1 root, or a full endpoint URL (LiteLLM's default is …/v1/embeddings). */
export function voyageRoot(apiBase: string): string {
  const root = apiBase.replace(/\/+$/, '').replace(/\/(embeddings|rerank)$/, '');
  return /^https?:\/\/[^/]+$/i.test(root) ? `${root}/v1` : root;
}

function tokens(res: JsonObject): number {
  const total = (res.usage as { total_tokens?: unknown } | undefined)?.total_tokens;
  return typeof total === 'number' && total >= 0 ? total : 0;
}

function notNative(target: DeploymentTarget, provider: string, what: string): GatewayError {
  return GatewayError.invalid(`Model '${target.group}' (provider ${provider}) does not serve ${what}.`, 'model');
}
