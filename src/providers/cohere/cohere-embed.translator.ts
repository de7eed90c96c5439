import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { embeddingList, encodingFormat, inputTexts, rejectUnknown } from '../embedding-vectors.js';
import type { JsonObject } from '../provider-adapter.js';
import type { CohereEmbedResponse, CohereRerankResponse } from './cohere-wire.types.js';

/**
 * LiteLLM's default (COHERE_DEFAULT_EMBEDDING_INPUT_TYPE): v3+ embed models require an
 * input_type, and an OpenAI client has no way to send one, so a config moved from LiteLLM embeds
 * the same way here.
 */
export const DEFAULT_INPUT_TYPE = 'search_document';

/** Embeddings fields read here; Cohere's own (input_type, truncate) pass on as written. */
const EMBED_FIELDS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user', 'input_type', 'truncate']);

/** An OpenAI embeddings body → the body of Cohere's POST /v2/embed. */
export function toCohereEmbed(body: JsonObject, upstreamModel: string, dropParams: boolean): JsonObject {
  rejectUnknown(body, EMBED_FIELDS, dropParams, 'Cohere', 'embeddings');
  encodingFormat(body.encoding_format);
  const out: JsonObject = {
    model: upstreamModel,
    texts: inputTexts(body.input, 'Cohere'),
    input_type: typeof body.input_type === 'string' && body.input_type ? body.input_type : DEFAULT_INPUT_TYPE,
    // Always floats: a base64 answer is encoded by the gateway in OpenAI's exact format.
    embedding_types: ['float'],
  };
  if (typeof body.dimensions === 'number') out.output_dimension = body.dimensions;
  if (typeof body.truncate === 'string') out.truncate = body.truncate;
  return out;
}

/** Cohere's embed answer → an OpenAI embeddings list (model rewritten to the alias by the caller). */
export function fromCohereEmbed(res: JsonObject, upstreamModel: string, format: unknown): JsonObject {
  const floats = (res as CohereEmbedResponse).embeddings?.float;
  if (!Array.isArray(floats) || !floats.every(Array.isArray)) {
    throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider cohere returned an embed answer without float embeddings.');
  }
  const tokens = (res as CohereEmbedResponse).meta?.billed_units?.input_tokens;
  return embeddingList(floats, upstreamModel, typeof tokens === 'number' ? tokens : 0, format);
}

/**
 * The gateway's rerank body (documents already plain strings) → Cohere's POST /v2/rerank. The
 * body is Cohere's own shape, so fields the gateway does not read go on as sent.
 */
export function toCohereRerank(body: JsonObject, upstreamModel: string): JsonObject {
  return { ...body, model: upstreamModel };
}

/** Cohere's rerank answer, checked and reduced to what the gateway promises: id, results (index, relevance_score), meta. */
export function fromCohereRerank(res: JsonObject): JsonObject {
  const r = res as CohereRerankResponse;
  if (!Array.isArray(r.results)) throw new GatewayError(ErrorCode.UpstreamError, 'Upstream provider cohere returned a rerank answer without results.');
  return {
    id: typeof r.id === 'string' ? r.id : undefined,
    results: r.results.map((x) => ({ index: x.index, relevance_score: x.relevance_score })),
    meta: r.meta ?? {},
  };
}
