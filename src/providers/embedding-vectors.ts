import { GatewayError } from '../common/gateway-error.js';
import type { JsonObject } from './provider-adapter.js';

/**
 * Helpers for adapters whose embeddings API is not OpenAI's (Cohere, Voyage): the OpenAI input
 * as a list of texts, and the vectors in the encoding the client asked for.
 */

/** OpenAI's `input` as texts. Token-id arrays are an OpenAI tokenizer's; other providers cannot read them. */
export function inputTexts(input: unknown, provider: string): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((s) => typeof s === 'string')) return input as string[];
  throw GatewayError.invalid(`'input' must be a string or a non-empty array of strings for ${provider} embedding models (token arrays are not supported).`, 'input');
}

/**
 * The vector as OpenAI sends it: a float array, or with encoding_format "base64" the float32
 * little-endian bytes in base64. The upstream is always asked for floats and the encoding is done
 * here, so the client gets exactly OpenAI's format (the openai SDK asks for base64 by default).
 */
export function encodeVector(vector: number[], encodingFormat: unknown): number[] | string {
  if (encodingFormat !== 'base64') return vector;
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

export function encodingFormat(value: unknown): 'float' | 'base64' {
  if (value === undefined || value === null || value === 'float') return 'float';
  if (value === 'base64') return 'base64';
  throw GatewayError.invalid(`'encoding_format' must be 'float' or 'base64'.`, 'encoding_format');
}

/** An OpenAI embeddings list. */
export function embeddingList(vectors: readonly number[][], model: string, promptTokens: number, format: unknown): JsonObject {
  return {
    object: 'list',
    data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: encodeVector(v, format) })),
    model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

/**
 * A field this translation does not know is a 400 naming it (the provider would refuse it too,
 * less clearly), or is dropped when drop_params is in effect.
 */
export function rejectUnknown(body: JsonObject, known: ReadonlySet<string>, dropParams: boolean, provider: string, what: string): void {
  if (dropParams) return;
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined || known.has(name)) continue;
    throw GatewayError.invalid(
      `Parameter '${name}' is not supported for ${provider} ${what}. Remove it, or set drop_params: true on the deployment ` +
        `(or litellm_settings.drop_params: true) to drop unsupported parameters silently.`,
      name,
    );
  }
}
