import { defaultApiKeyFor } from '../../config/default-api-key.js';
import { providerInfo } from '../provider-catalog.js';

describe('catalog rows for cohere, cohere_chat and voyage', () => {
  it.each([
    ['cohere', 'https://api.cohere.com'],
    ['cohere_chat', 'https://api.cohere.com'],
    ['voyage', 'https://api.voyageai.com/v1'],
  ])('%s: default base %s, embeddings and rerank, Responses bridged', (name, base) => {
    expect(providerInfo(name)).toMatchObject({ defaultApiBase: base, embeddings: true, rerank: true, nativeResponses: false });
  });

  it.each([
    [{ model: 'cohere/command-a-03-2025' }, { COHERE_API_KEY: 'a', CO_API_KEY: 'b' }, 'COHERE_API_KEY'],
    [{ model: 'cohere_chat/command-r' }, { CO_API_KEY: 'b' }, 'CO_API_KEY'],
    [{ model: 'command-r-plus' }, { COHERE_API_KEY: 'a' }, 'COHERE_API_KEY'],
    [{ model: 'voyage/voyage-3.5' }, { VOYAGE_API_KEY: 'v' }, 'VOYAGE_API_KEY'],
  ])("%j takes LiteLLM's key variable from %j: %s", (params, env, name) => {
    expect(defaultApiKeyFor(params, env)?.name).toBe(name);
  });

  it('never for a deployment with its own api_base', () => {
    expect(defaultApiKeyFor({ model: 'cohere/command-r', api_base: 'https://proxy.example.com' }, { COHERE_API_KEY: 'a' })).toBeUndefined();
  });
});
