import { parseConfigText } from './config-loader.js';
import { defaultApiKeyFor } from './default-api-key.js';

describe('default api key from the environment (LiteLLM behaviour, never to a custom api_base)', () => {
  const env = { OPENAI_API_KEY: 'sk-env-openai', GROQ_API_KEY: 'gsk-env', PERPLEXITY_API_KEY: 'pplx-2nd', TOGETHER_AI_TOKEN: 'tok-4th' };

  it.each([
    [{ model: 'openai/gpt-4o' }, 'OPENAI_API_KEY'],
    [{ model: 'gpt-4o' }, 'OPENAI_API_KEY'],
    [{ model: 'groq/llama-3.1-8b-instant' }, 'GROQ_API_KEY'],
    [{ model: 'llama-3.1-8b-instant', custom_llm_provider: 'groq' }, 'GROQ_API_KEY'],
    // LiteLLM tries PERPLEXITYAI_API_KEY first, then PERPLEXITY_API_KEY.
    [{ model: 'perplexity/sonar' }, 'PERPLEXITY_API_KEY'],
    [{ model: 'together_ai/meta-llama/Llama-3-8b' }, 'TOGETHER_AI_TOKEN'],
    [{ model: 'openai/*' }, 'OPENAI_API_KEY'],
  ])('%j reads %s', (params, name) => {
    expect(defaultApiKeyFor(params, env)?.name).toBe(name);
  });

  it.each([
    ['an api_base of its own', { model: 'openai/gpt-4o', api_base: 'https://my-proxy.example/v1' }],
    ['an api_base from an unset variable', { model: 'openai/gpt-4o', api_base: 'os.environ/UNSET_BASE' }],
    ['its own api_key', { model: 'openai/gpt-4o', api_key: 'sk-own' }],
    ['an api_key from an unset variable', { model: 'openai/gpt-4o', api_key: 'os.environ/UNSET_KEY' }],
    ['a provider decided per request', { model: '*' }],
    ['a provider without a default base', { model: 'hosted_vllm/llama' }],
    ['a provider whose variable is unset', { model: 'cerebras/llama3.1-8b' }],
  ])('none for a deployment with %s', (_why, params) => {
    expect(defaultApiKeyFor(params, env)).toBeUndefined();
  });

  it('the loader applies it with a start-up notice naming the variable, never its value', () => {
    const yaml = `
model_list:
  - model_name: a
    litellm_params: { model: openai/gpt-4o }
  - model_name: b
    litellm_params: { model: openai/gpt-4o, api_base: "http://127.0.0.1:9/v1" }
`;
    const { config, warnings } = parseConfigText(yaml, env);
    expect(config.models[0].apiKey).toBe('sk-env-openai');
    expect(config.models[1].apiKey).toBeUndefined();
    expect(warnings).toContain('model_list[0].litellm_params.api_key: not set; using OPENAI_API_KEY from the environment, as LiteLLM does');
    expect(warnings.join('\n')).not.toContain('sk-env-openai');
  });

  it('environment_variables in the file count, as LiteLLM sets them before reading keys', () => {
    const yaml = `
model_list:
  - model_name: a
    litellm_params: { model: xai/grok-3 }
environment_variables: { XAI_API_KEY: xai-from-file }
`;
    expect(parseConfigText(yaml, {}).config.models[0].apiKey).toBe('xai-from-file');
  });

  it('a deployment id does not change when the key comes from the environment', () => {
    const yaml = 'model_list:\n  - model_name: a\n    litellm_params: { model: openai/gpt-4o }\n';
    expect(parseConfigText(yaml, env).config.models[0].id).toBe(parseConfigText(yaml, {}).config.models[0].id);
  });
});
