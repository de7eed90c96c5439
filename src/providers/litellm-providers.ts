/**
 * Provider prefixes LiteLLM itself accepts (its LlmProviders enum, v1.7x) that Switchboard has
 * no catalog row for. A config naming one is a valid LiteLLM config using something not built
 * here, which deserves a different answer than a typo: `check` and start-up list every such
 * provider in one message pointing at the README, instead of one "unknown provider" per entry.
 * Names that gain a catalog row are supported from then on, whatever this list says.
 */
const LITELLM_PROVIDERS: ReadonlySet<string> = new Set([
  'ai21', 'ai21_chat', 'aiml', 'aiohttp_openai', 'aleph_alpha', 'anthropic_text', 'assemblyai', 'azure_ai', 'azure_text',
  'baseten', 'bedrock', 'bytez', 'cerebras', 'clarifai', 'cloudflare', 'codestral', 'cohere', 'cohere_chat', 'cometapi',
  'custom', 'dashscope', 'databricks', 'datarobot', 'deepgram', 'deepinfra', 'docker_model_runner', 'elevenlabs', 'empower',
  'featherless_ai', 'friendliai', 'galadriel', 'gemini', 'github', 'github_copilot', 'gradient_ai', 'heroku', 'huggingface',
  'hyperbolic', 'infinity', 'jina_ai', 'lambda_ai', 'litellm_proxy', 'llamafile', 'lm_studio', 'maritalk', 'meta_llama',
  'moonshot', 'morph', 'nebius', 'nlp_cloud', 'novita', 'nscale', 'nvidia_nim', 'oci', 'ollama_chat', 'oobabooga',
  'openai_like', 'ovhcloud', 'palm', 'perplexity', 'petals', 'predibase', 'recraft', 'replicate', 'sagemaker',
  'sagemaker_chat', 'sambanova', 'snowflake', 'text-completion-codestral', 'text-completion-openai', 'together_ai',
  'topaz', 'triton', 'v0', 'vercel_ai_gateway', 'vertex_ai', 'vertex_ai_beta', 'vllm', 'volcengine', 'voyage', 'wandb',
  'watsonx', 'watsonx_text', 'xinference', 'zai',
]);

export function isLitellmProvider(name: string): boolean {
  return LITELLM_PROVIDERS.has(name);
}
