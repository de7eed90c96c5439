/**
 * What the gateway knows about each provider prefix, as data. Config validation and the
 * adapter registry both read this table, so a provider cannot be accepted by one and
 * unknown to the other.
 */
export type ProviderFamily = 'openai-compatible' | 'azure' | 'anthropic' | 'openai-text-completion' | 'gemini' | 'vertex_ai' | 'bedrock' | 'cohere' | 'voyage';

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
  /**
   * Where LiteLLM looks for the key when a deployment sets no api_key, first set wins. Applied
   * only to deployments that also set no api_base: a provider's key never goes to a host the
   * config did not name (see default-api-key.ts).
   */
  readonly apiKeyEnv?: readonly string[];
  /** The provider serves /v1/rerank (absent: it does not). */
  readonly rerank?: boolean;
}

const CATALOG: readonly ProviderInfo[] = [
  { name: 'openai', family: 'openai-compatible', defaultApiBase: 'https://api.openai.com/v1', nativeResponses: true, embeddings: true, apiKeyEnv: ['OPENAI_API_KEY'] },
  // LiteLLM's AZURE_DEFAULT_API_VERSION (litellm/constants.py, v1.7x+).
  { name: 'azure', family: 'azure', defaultApiVersion: '2025-02-01-preview', nativeResponses: true, embeddings: true },
  { name: 'openrouter', family: 'openai-compatible', defaultApiBase: 'https://openrouter.ai/api/v1', nativeResponses: true, embeddings: true, apiKeyEnv: ['OPENROUTER_API_KEY', 'OR_API_KEY'] },
  { name: 'anthropic', family: 'anthropic', defaultApiBase: 'https://api.anthropic.com', nativeResponses: false, embeddings: false, apiKeyEnv: ['ANTHROPIC_API_KEY'] },
  { name: 'groq', family: 'openai-compatible', defaultApiBase: 'https://api.groq.com/openai/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['GROQ_API_KEY'] },
  { name: 'together_ai', family: 'openai-compatible', defaultApiBase: 'https://api.together.xyz/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY', 'TOGETHERAI_API_KEY', 'TOGETHER_AI_TOKEN'] },
  { name: 'mistral', family: 'openai-compatible', defaultApiBase: 'https://api.mistral.ai/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['MISTRAL_API_KEY'] },
  { name: 'deepseek', family: 'openai-compatible', defaultApiBase: 'https://api.deepseek.com/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['DEEPSEEK_API_KEY'] },
  { name: 'xai', family: 'openai-compatible', defaultApiBase: 'https://api.x.ai/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['XAI_API_KEY'] },
  { name: 'fireworks_ai', family: 'openai-compatible', defaultApiBase: 'https://api.fireworks.ai/inference/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['FIREWORKS_API_KEY', 'FIREWORKS_AI_API_KEY', 'FIREWORKSAI_API_KEY', 'FIREWORKS_AI_TOKEN'] },
  { name: 'hosted_vllm', family: 'openai-compatible', nativeResponses: false, embeddings: true },
  { name: 'ollama', family: 'openai-compatible', defaultApiBase: 'http://localhost:11434/v1', nativeResponses: false, embeddings: true },
  // LiteLLM's ollama_chat calls Ollama's native /api/chat; the same server's OpenAI-compatible /v1 serves the same chats.
  { name: 'ollama_chat', family: 'openai-compatible', defaultApiBase: 'http://localhost:11434/v1', nativeResponses: false, embeddings: true },
  // OpenAI-compatible providers LiteLLM configs name; bases and key variables as LiteLLM's
  // get_llm_provider / <provider>ChatConfig resolve them when the deployment sets neither.
  { name: 'perplexity', family: 'openai-compatible', defaultApiBase: 'https://api.perplexity.ai', nativeResponses: false, embeddings: false, apiKeyEnv: ['PERPLEXITYAI_API_KEY', 'PERPLEXITY_API_KEY'] },
  { name: 'cerebras', family: 'openai-compatible', defaultApiBase: 'https://api.cerebras.ai/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['CEREBRAS_API_KEY'] },
  { name: 'deepinfra', family: 'openai-compatible', defaultApiBase: 'https://api.deepinfra.com/v1/openai', nativeResponses: false, embeddings: true, apiKeyEnv: ['DEEPINFRA_API_KEY'] },
  { name: 'nvidia_nim', family: 'openai-compatible', defaultApiBase: 'https://integrate.api.nvidia.com/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['NVIDIA_NIM_API_KEY'] },
  { name: 'sambanova', family: 'openai-compatible', defaultApiBase: 'https://api.sambanova.ai/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['SAMBANOVA_API_KEY'] },
  // GitHub Models; the path has no /v1.
  { name: 'github', family: 'openai-compatible', defaultApiBase: 'https://models.inference.ai.azure.com', nativeResponses: false, embeddings: true, apiKeyEnv: ['GITHUB_API_KEY'] },
  { name: 'codestral', family: 'openai-compatible', defaultApiBase: 'https://codestral.mistral.ai/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['CODESTRAL_API_KEY'] },
  { name: 'anyscale', family: 'openai-compatible', defaultApiBase: 'https://api.endpoints.anyscale.com/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['ANYSCALE_API_KEY'] },
  { name: 'meta_llama', family: 'openai-compatible', defaultApiBase: 'https://api.llama.com/compat/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['LLAMA_API_KEY'] },
  { name: 'friendliai', family: 'openai-compatible', defaultApiBase: 'https://api.friendli.ai/serverless/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['FRIENDLIAI_API_KEY', 'FRIENDLI_TOKEN'] },
  // llamafile's own default address; it needs no key, LiteLLM sends LLAMAFILE_API_KEY when set.
  { name: 'llamafile', family: 'openai-compatible', defaultApiBase: 'http://127.0.0.1:8080/v1', nativeResponses: false, embeddings: true, apiKeyEnv: ['LLAMAFILE_API_KEY'] },
  // LiteLLM has no default address for these (LM Studio's comes from LM_STUDIO_API_BASE): api_base is required.
  { name: 'lm_studio', family: 'openai-compatible', nativeResponses: false, embeddings: true },
  { name: 'custom_openai', family: 'openai-compatible', nativeResponses: false, embeddings: true },
  { name: 'litellm_proxy', family: 'openai-compatible', nativeResponses: false, embeddings: true },
  // OpenAI's legacy /v1/completions; chat requests are translated (providers/text-completion/).
  { name: 'text-completion-openai', family: 'openai-text-completion', defaultApiBase: 'https://api.openai.com/v1', nativeResponses: false, embeddings: false, apiKeyEnv: ['OPENAI_API_KEY'] },
  { name: 'gemini', family: 'gemini', defaultApiBase: 'https://generativelanguage.googleapis.com/v1beta', nativeResponses: false, embeddings: true, apiKeyEnv: ['GEMINI_API_KEY'] },
  // The real host depends on vertex_location (vertex-ai.adapter.ts); this one is for location `global`.
  { name: 'vertex_ai', family: 'vertex_ai', defaultApiBase: 'https://aiplatform.googleapis.com', nativeResponses: false, embeddings: true },
  // The real host depends on the region (bedrock-config.ts); aws_bedrock_runtime_endpoint or api_base replace it.
  { name: 'bedrock', family: 'bedrock', nativeResponses: false, embeddings: true, defaultApiBase: 'https://bedrock-runtime.us-east-1.amazonaws.com' },
  // Cohere's v2 API; `cohere_chat/` is LiteLLM's older prefix for the same chat models.
  { name: 'cohere', family: 'cohere', defaultApiBase: 'https://api.cohere.com', nativeResponses: false, embeddings: true, rerank: true, apiKeyEnv: ['COHERE_API_KEY', 'CO_API_KEY'] },
  { name: 'cohere_chat', family: 'cohere', defaultApiBase: 'https://api.cohere.com', nativeResponses: false, embeddings: true, rerank: true, apiKeyEnv: ['COHERE_API_KEY', 'CO_API_KEY'] },
  { name: 'voyage', family: 'voyage', defaultApiBase: 'https://api.voyageai.com/v1', nativeResponses: false, embeddings: true, rerank: true, apiKeyEnv: ['VOYAGE_API_KEY'] },
];

const BY_NAME = new Map(CATALOG.map((p) => [p.name, p]));

export function providerInfo(name: string): ProviderInfo | undefined {
  return BY_NAME.get(name);
}

export function knownProviders(): string[] {
  return CATALOG.map((p) => p.name);
}
