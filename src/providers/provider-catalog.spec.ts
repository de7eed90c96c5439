import { isLitellmProvider } from './litellm-providers.js';
import { knownProviders, providerInfo } from './provider-catalog.js';
import { ProviderRegistry } from './provider-registry.service.js';

describe('provider catalog', () => {
  // LiteLLM's defaults (get_llm_provider_logic.py / <provider>ChatConfig) when api_base and api_key are absent.
  it.each([
    ['perplexity', 'https://api.perplexity.ai', ['PERPLEXITYAI_API_KEY', 'PERPLEXITY_API_KEY'], false],
    ['cerebras', 'https://api.cerebras.ai/v1', ['CEREBRAS_API_KEY'], false],
    ['deepinfra', 'https://api.deepinfra.com/v1/openai', ['DEEPINFRA_API_KEY'], true],
    ['nvidia_nim', 'https://integrate.api.nvidia.com/v1', ['NVIDIA_NIM_API_KEY'], true],
    ['sambanova', 'https://api.sambanova.ai/v1', ['SAMBANOVA_API_KEY'], true],
    ['github', 'https://models.inference.ai.azure.com', ['GITHUB_API_KEY'], true],
    ['codestral', 'https://codestral.mistral.ai/v1', ['CODESTRAL_API_KEY'], false],
    ['anyscale', 'https://api.endpoints.anyscale.com/v1', ['ANYSCALE_API_KEY'], true],
    ['llamafile', 'http://127.0.0.1:8080/v1', ['LLAMAFILE_API_KEY'], true],
    ['text-completion-openai', 'https://api.openai.com/v1', ['OPENAI_API_KEY'], false],
    ['openai', 'https://api.openai.com/v1', ['OPENAI_API_KEY'], true],
    ['anthropic', 'https://api.anthropic.com', ['ANTHROPIC_API_KEY'], false],
    ['groq', 'https://api.groq.com/openai/v1', ['GROQ_API_KEY'], false],
  ] as const)('%s: default base %s, key from %j, embeddings %s', (name, base, keys, embeddings) => {
    const info = providerInfo(name)!;
    expect(info.defaultApiBase).toBe(base);
    expect(info.apiKeyEnv).toEqual(keys);
    expect(info.embeddings).toBe(embeddings);
  });

  it.each(['lm_studio', 'hosted_vllm', 'custom_openai', 'litellm_proxy', 'azure'])('%s has no default base: api_base is required, so no default key could apply', (name) => {
    expect(providerInfo(name)!.defaultApiBase).toBeUndefined();
    expect(providerInfo(name)!.apiKeyEnv).toBeUndefined();
  });

  it('every row has an adapter, and text-completion-openai serves chat only', () => {
    const registry = new ProviderRegistry();
    for (const name of knownProviders()) expect(registry.get(name).name).toBe(name);
    const tc = registry.get('text-completion-openai');
    expect(['chat', 'responses', 'embeddings', 'messages'].map((op) => tc.supports(op as never))).toEqual([true, false, false, false]);
  });

  it('key variable names look like environment variables', () => {
    for (const name of knownProviders()) for (const v of providerInfo(name)!.apiKeyEnv ?? []) expect(v).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('LiteLLM names without a row are "unsupported"; typos are not LiteLLM names', () => {
    expect(isLitellmProvider('sagemaker')).toBe(true);
    expect(isLitellmProvider('replicate')).toBe(true);
    expect(isLitellmProvider('opnai')).toBe(false);
    expect(isLitellmProvider('mistralai')).toBe(false);
  });
});
