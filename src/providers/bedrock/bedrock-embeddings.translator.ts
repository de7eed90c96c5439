import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { embeddingList, encodingFormat, inputTexts } from '../embedding-vectors.js';
import type { JsonObject } from '../provider-adapter.js';

/** Cohere's embed models on Bedrock take at most this many texts per InvokeModel call. */
export const COHERE_BATCH = 96;

export type BedrockEmbedFamily = 'titan' | 'cohere';

/** The embedding families with a known InvokeModel body; others are refused before any call. */
export function embedFamily(modelId: string, group: string): BedrockEmbedFamily {
  const id = modelId.replace(/^[a-z]{2,4}\./, '');
  if (id.startsWith('amazon.titan-embed-text')) return 'titan';
  if (id.startsWith('cohere.embed-')) return 'cohere';
  throw GatewayError.invalid(
    `Model '${group}' (bedrock ${modelId}) is not an embedding model the gateway can call: amazon.titan-embed-text-* and cohere.embed-* are supported.`,
    'model',
  );
}

export interface BedrockEmbedAsk {
  readonly texts: string[];
  readonly format: 'float' | 'base64';
  readonly dimensions?: number;
  /** Cohere's input_type; OpenAI has none, so documents unless the client says otherwise. */
  readonly inputType: string;
}

export function readBedrockEmbeddings(body: JsonObject): BedrockEmbedAsk {
  const dims = body.dimensions;
  if (dims !== undefined && dims !== null && (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1)) {
    throw GatewayError.invalid(`'dimensions' must be a positive integer.`, 'dimensions');
  }
  return {
    texts: inputTexts(body.input, 'Bedrock'),
    format: encodingFormat(body.encoding_format),
    dimensions: typeof dims === 'number' ? dims : undefined,
    inputType: typeof body.input_type === 'string' ? body.input_type : 'search_document',
  };
}

/**
 * The InvokeModel bodies for one embeddings request: Titan embeds one text per call, Cohere up
 * to 96. `dimensions` exists on Titan v2 only; Bedrock refuses it elsewhere, clearly enough.
 */
export function bedrockEmbedBodies(family: BedrockEmbedFamily, ask: BedrockEmbedAsk): JsonObject[] {
  if (family === 'titan') return ask.texts.map((inputText) => ({ inputText, ...(ask.dimensions ? { dimensions: ask.dimensions } : {}) }));
  const out: JsonObject[] = [];
  for (let i = 0; i < ask.texts.length; i += COHERE_BATCH) out.push({ texts: ask.texts.slice(i, i + COHERE_BATCH), input_type: ask.inputType });
  return out;
}

/**
 * The answers, in request order, as one OpenAI list. Titan counts input tokens; Cohere on
 * Bedrock reports none in its body, so its usage is 0.
 */
export function fromBedrockEmbeddings(family: BedrockEmbedFamily, answers: JsonObject[], ask: BedrockEmbedAsk, model: string): JsonObject {
  const vectors: number[][] = [];
  let tokens = 0;
  for (const a of answers) {
    if (family === 'titan') {
      vectors.push(vector(a.embedding));
      if (typeof a.inputTextTokenCount === 'number') tokens += a.inputTextTokenCount;
    } else {
      const list = Array.isArray(a.embeddings) ? a.embeddings : (a.embeddings as { float?: unknown } | undefined)?.float;
      if (!Array.isArray(list)) throw bad();
      for (const v of list) vectors.push(vector(v));
    }
  }
  if (vectors.length !== ask.texts.length) throw bad();
  return embeddingList(vectors, model, tokens, ask.format);
}

function vector(v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw bad();
  return v as number[];
}

function bad(): GatewayError {
  return new GatewayError(ErrorCode.UpstreamError, 'Upstream provider bedrock returned an embeddings answer the gateway cannot read.');
}
