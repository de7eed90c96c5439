/**
 * OpenTelemetry GenAI semantic-convention names. The GenAI conventions are still incubating
 * (and moved to their own repository), and OpenTelemetry asks instrumentations to copy
 * incubating names rather than import them from the package's unstable entry point.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestTopP: 'gen_ai.request.top_p',
  requestStream: 'gen_ai.request.stream',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  /** The opt-in event that carries input and output content. */
  operationDetailsEvent: 'gen_ai.client.inference.operation.details',
} as const;

/** Switchboard's own attributes, under its namespace as the conventions ask. */
export const SWITCHBOARD = {
  group: 'switchboard.group',
  deploymentId: 'switchboard.deployment_id',
  keyAlias: 'switchboard.key_alias',
  attempt: 'switchboard.attempt',
  outcome: 'switchboard.outcome',
  failureClass: 'switchboard.failure_class',
  requestId: 'switchboard.request_id',
  fallback: 'switchboard.fallback',
} as const;

/** Values the conventions define for gen_ai.provider.name; other providers are named as configured. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure.ai.openai',
  anthropic: 'anthropic',
  bedrock: 'aws.bedrock',
  gemini: 'gcp.gemini',
  vertex_ai: 'gcp.vertex_ai',
  groq: 'groq',
  mistral: 'mistral_ai',
  deepseek: 'deepseek',
  xai: 'x_ai',
  perplexity: 'perplexity',
  cohere: 'cohere',
};

export function genAiProviderName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

/**
 * gen_ai.operation.name per inference route (paths without the base path). The Responses and
 * Messages APIs are chat completions in the conventions' terms; counting tokens has no
 * conventional name, so it keeps its own.
 */
export const ROUTE_OPERATIONS: Readonly<Record<string, string>> = {
  '/v1/chat/completions': 'chat',
  '/chat/completions': 'chat',
  '/v1/responses': 'chat',
  '/responses': 'chat',
  '/v1/messages': 'chat',
  '/v1/embeddings': 'embeddings',
  '/embeddings': 'embeddings',
  '/v1/messages/count_tokens': 'count_tokens',
  '/messages': 'chat',
  '/messages/count_tokens': 'count_tokens',
  // Not a GenAI convention operation name yet; kept as its own, like count_tokens.
  '/v1/rerank': 'rerank',
  '/rerank': 'rerank',
  '/v2/rerank': 'rerank',
};
