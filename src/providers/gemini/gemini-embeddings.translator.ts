import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';

/** What an OpenAI embeddings body asks for, checked once for both Google APIs. */
export interface EmbeddingsAsk {
  readonly texts: string[];
  /** A single string input: served by embedContent rather than the batch call. */
  readonly single: boolean;
  readonly dimensions?: number;
  readonly base64: boolean;
  /** Google's task_type (RETRIEVAL_QUERY, ...), for clients that know the target. */
  readonly taskType?: string;
}

export function readEmbeddingsBody(body: JsonObject): EmbeddingsAsk {
  const input = body.input;
  const single = typeof input === 'string';
  const texts = single ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((t) => typeof t === 'string')) {
    throw GatewayError.invalid(`'input' must be a string or a non-empty array of strings for Google embedding models (token arrays cannot be translated).`, 'input');
  }
  const dims = body.dimensions;
  if (dims !== undefined && dims !== null && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1)) {
    throw GatewayError.invalid(`'dimensions' must be a positive integer.`, 'dimensions');
  }
  const format = body.encoding_format;
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw GatewayError.invalid(`'encoding_format' must be float or base64.`, 'encoding_format');
  }
  const taskType = typeof body.task_type === 'string' ? body.task_type : undefined;
  return { texts: texts as string[], single, dimensions: (dims as number | undefined) ?? undefined, base64: format === 'base64', taskType };
}

/** Gemini API: `:embedContent` for one text, `:batchEmbedContents` for several. */
export function geminiEmbedRequest(ask: EmbeddingsAsk, model: string): { method: 'embedContent' | 'batchEmbedContents'; body: JsonObject } {
  const one = (text: string): JsonObject => ({
    content: { parts: [{ text }] },
    ...(ask.dimensions ? { outputDimensionality: ask.dimensions } : {}),
    ...(ask.taskType ? { taskType: ask.taskType } : {}),
  });
  if (ask.single) return { method: 'embedContent', body: one(ask.texts[0]) };
  return { method: 'batchEmbedContents', body: { requests: ask.texts.map((t) => ({ model: `models/${model}`, ...one(t) })) } };
}

export function fromGeminiEmbeddings(body: JsonObject, ask: EmbeddingsAsk, model: string): JsonObject {
  const list = Array.isArray(body.embeddings) ? body.embeddings : body.embedding ? [body.embedding] : undefined;
  const vectors = list?.map((e) => (e as { values?: unknown })?.values);
  return openAiList(vectors, ask, model, 0, 'gemini');
}

/** Vertex AI: `:predict` with one instance per text. */
export function vertexEmbedRequest(ask: EmbeddingsAsk): JsonObject {
  return {
    instances: ask.texts.map((content) => ({ content, ...(ask.taskType ? { task_type: ask.taskType } : {}) })),
    ...(ask.dimensions ? { parameters: { outputDimensionality: ask.dimensions } } : {}),
  };
}

export function fromVertexEmbeddings(body: JsonObject, ask: EmbeddingsAsk, model: string): JsonObject {
  const predictions = Array.isArray(body.predictions) ? body.predictions : undefined;
  let tokens = 0;
  const vectors = predictions?.map((p) => {
    const e = (p as { embeddings?: { values?: unknown; statistics?: { token_count?: unknown } } })?.embeddings;
    if (typeof e?.statistics?.token_count === 'number') tokens += e.statistics.token_count;
    return e?.values;
  });
  return openAiList(vectors, ask, model, tokens, 'vertex_ai');
}

function openAiList(vectors: unknown[] | undefined, ask: EmbeddingsAsk, model: string, tokens: number, provider: string): JsonObject {
  if (!vectors || vectors.length !== ask.texts.length || !vectors.every((v) => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
    throw new GatewayError(ErrorCode.UpstreamError, `Upstream provider ${provider} returned embeddings that do not match the input.`);
  }
  return {
    object: 'list',
    data: (vectors as number[][]).map((v, index) => ({ object: 'embedding', index, embedding: ask.base64 ? toBase64(v) : v })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** OpenAI's base64 encoding: the float32 little-endian bytes. */
function toBase64(v: number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}
