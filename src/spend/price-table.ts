/**
 * List prices (USD per token) of well-known models, used when a deployment's model_info gives
 * no input_cost_per_token / output_cost_per_token. Matching is by longest prefix of the upstream
 * model id after its last `/`, so dated snapshots (`gpt-4o-2024-08-06`) and routed ids
 * (`openai/gpt-4o` on OpenRouter) find their family. Prices change: set model_info on the
 * deployment to be exact.
 */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
}

/** Prices are quoted per million tokens; dividing (not multiplying by 1e-6) keeps them exact decimals. */
const perM = (input: number, output: number): ModelPrice => ({ input: input / 1e6, output: output / 1e6 });

const TABLE: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  'gpt-4o': perM(2.5, 10),
  'gpt-4o-mini': perM(0.15, 0.6),
  'gpt-4.1': perM(2, 8),
  'gpt-4.1-mini': perM(0.4, 1.6),
  'gpt-4.1-nano': perM(0.1, 0.4),
  'gpt-4-turbo': perM(10, 30),
  'gpt-4': perM(30, 60),
  'gpt-3.5-turbo': perM(0.5, 1.5),
  'o1': perM(15, 60),
  'o1-mini': perM(1.1, 4.4),
  'o3': perM(2, 8),
  'o3-mini': perM(1.1, 4.4),
  'o4-mini': perM(1.1, 4.4),
  'text-embedding-3-small': perM(0.02, 0),
  'text-embedding-3-large': perM(0.13, 0),
  'text-embedding-ada-002': perM(0.1, 0),
  // Anthropic
  'claude-3-haiku': perM(0.25, 1.25),
  'claude-3-5-haiku': perM(0.8, 4),
  'claude-3-5-sonnet': perM(3, 15),
  'claude-3-7-sonnet': perM(3, 15),
  'claude-sonnet-4': perM(3, 15),
  'claude-3-opus': perM(15, 75),
  'claude-opus-4': perM(15, 75),
  // Mistral, DeepSeek, Groq-hosted Llama
  'mistral-large': perM(2, 6),
  'mistral-small': perM(0.2, 0.6),
  'deepseek-chat': perM(0.27, 1.1),
  'deepseek-reasoner': perM(0.55, 2.19),
  'llama-3.1-8b-instant': perM(0.05, 0.08),
  'llama-3.3-70b-versatile': perM(0.59, 0.79),
};

const NAMES = Object.keys(TABLE).sort((a, b) => b.length - a.length);

/** The bundled price for an upstream model id, or undefined when the model is not listed. */
export function bundledPrice(upstreamModel: string): ModelPrice | undefined {
  const id = upstreamModel.slice(upstreamModel.lastIndexOf('/') + 1).toLowerCase();
  if (TABLE[id]) return TABLE[id];
  // Longest prefix followed by a separator: `gpt-4o-mini-2024-07-18` is gpt-4o-mini, `gpt-4.1` is not gpt-4.
  const name = NAMES.find((n) => id.startsWith(n) && (id.length === n.length || id[n.length] === '-' || id[n.length] === '@'));
  return name ? TABLE[name] : undefined;
}
