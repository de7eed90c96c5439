/**
 * What the gateway knows about each provider prefix, as data. Config validation and the
 * adapter registry both read this table, so a provider cannot be accepted by one and
 * unknown to the other.
 */
export type ProviderFamily = 'openai-compatible' | 'azure' | 'anthropic' | 'cohere' | 'voyage';

export interface ProviderInfo {
  readonly name: string;
  readonly family: ProviderFamily;
  /** Used when the deployment sets no api_base. Absent: api_base is required. */
  readonly defaultApiBase?: string;
  readonly requiresApiVersion?: boolean;
  /** Used when the deployment sets no api_version (LiteLLM supplies one too); start-up says so. */
  readonly defaultApiVersion?: string;
  /** The provider serves the Responses API itself; otherwise /v1/responses is bridged to chat. */
  readonly nativeResponses: boolean;
  readonly embeddings: boolean;
  /** The provider serves /v1/rerank (absent: it does not). */
  readonly rerank?: boolean;
}

const CATALOG: readonly ProviderInfo[] = [
  { name: 'openai', family: 'openai-compatible', defaultApiBase: 'https://api.openai.com/v1', nativeResponses: true, embeddings: true },
  // LiteLLM's AZURE_DEFAULT_API_VERSION (litellm/constants.py, v1.7x+).
  { name: 'azure', family: 'azure', defaultApiVersion: '2025-02-01-preview', nativeResponses: true, embeddings: true },
  { name: 'openrouter', family: 'openai-compatible', defaultApiBase: 'https://openrouter.ai/api/v1', nativeResponses: true, embeddings: true },
  { name: 'anthropic', family: 'anthropic', defaultApiBase: 'https://api.anthropic.com', nativeResponses: false, embeddings: false },
  { name: 'groq', family: 'openai-compatible', defaultApiBase: 'https://api.groq.com/openai/v1', nativeResponses: false, embeddings: false },
  { name: 'together_ai', family: 'openai-compatible', defaultApiBase: 'https://api.together.xyz/v1', nativeResponses: false, embeddings: true },
  { name: 'mistral', family: 'openai-compatible', defaultApiBase: 'https://api.mistral.ai/v1', nativeResponses: false, embeddings: true },
  { name: 'deepseek', family: 'openai-compatible', defaultApiBase: 'https://api.deepseek.com/v1', nativeResponses: false, embeddings: false },
  { name: 'xai', family: 'openai-compatible', defaultApiBase: 'https://api.x.ai/v1', nativeResponses: false, embeddings: false },
  { name: 'fireworks_ai', family: 'openai-compatible', defaultApiBase: 'https://api.fireworks.ai/inference/v1', nativeResponses: false, embeddings: true },
  { name: 'hosted_vllm', family: 'openai-compatible', nativeResponses: false, embeddings: true },
  { name: 'ollama', family: 'openai-compatible', defaultApiBase: 'http://localhost:11434/v1', nativeResponses: false, embeddings: true },
  // Cohere's v2 API; `cohere_chat/` is LiteLLM's older prefix for the same chat models.
  { name: 'cohere', family: 'cohere', defaultApiBase: 'https://api.cohere.com', nativeResponses: false, embeddings: true, rerank: true },
  { name: 'cohere_chat', family: 'cohere', defaultApiBase: 'https://api.cohere.com', nativeResponses: false, embeddings: true, rerank: true },
  { name: 'voyage', family: 'voyage', defaultApiBase: 'https://api.voyageai.com/v1', nativeResponses: false, embeddings: true, rerank: true },
];

const BY_NAME = new Map(CATALOG.map((p) => [p.name, p]));

export function providerInfo(name: string): ProviderInfo | undefined {
  return BY_NAME.get(name);
}

export function knownProviders(): string[] {
  return CATALOG.map((p) => p.name);
}
