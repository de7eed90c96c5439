import type { Caller } from '../auth/caller.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { parseConfigText } from '../config/config-loader.js';
import { Endpoint, ModelResolutionService, Resolution } from './model-resolution.service.js';
import { RoutingTable, splitProvider } from './routing-table.js';

/** One config exercising every way a name can resolve. */
const YAML = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-a }
    model_info: { id: gpt-4o-1 }
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o-2024-08-06, api_base: "http://10.0.0.1:8000/v1/", api_key: sk-b }
    model_info: { id: gpt-4o-2 }
  - model_name: bare
    litellm_params: { model: gpt-4o-mini }
  - model_name: mymodel
    litellm_params: { model: openrouter/openai/gpt-4o, api_key: sk-or }
  - model_name: az
    litellm_params: { model: azure/my-deployment, api_base: "https://res.openai.azure.com", api_version: "2024-10-21", api_key: az-key }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5 }
  - model_name: llama
    litellm_params: { model: ollama/llama3.1, api_base: "http://127.0.0.1:11434" }
  - model_name: llama-v1
    litellm_params: { model: ollama/llama3.1, api_base: "http://127.0.0.1:11434/v1" }
  - model_name: llama-default
    litellm_params: { model: ollama/llama3.1 }
  - model_name: vllm
    litellm_params: { model: hosted_vllm/meta/llama-3, api_base: "http://127.0.0.1:8000/v1" }
  - model_name: custom
    litellm_params: { model: meta-llama/Llama-3-8b, custom_llm_provider: together_ai }
  - model_name: groq-fast
    litellm_params: { model: groq/llama-3.1-8b-instant }
  - model_name: mixed
    litellm_params: { model: openai/text-embedding-3-small }
    model_info: { id: mixed-openai }
  - model_name: mixed
    litellm_params: { model: anthropic/claude-haiku }
    model_info: { id: mixed-anthropic }
  - model_name: openrouter/*
    litellm_params: { model: openrouter/*, api_key: sk-or }
  - model_name: openrouter/openai/*
    litellm_params: { model: openrouter/openai/*, api_key: sk-or-openai }
  - model_name: anthropic/claude-*
    litellm_params: { model: anthropic/claude-*-latest }
  - model_name: "team-*"
    litellm_params: { model: "groq/*" }
  - model_name: "pair/*/*"
    litellm_params: { model: "mistral/*-*" }
  - model_name: "*"
    litellm_params: { model: "*" }
router_settings:
  model_group_alias:
    gpt4: gpt-4o
    smart: { model: mymodel, hidden: true }
    chain1: chain2
    chain2: gpt4
    or-llama: openrouter/meta-llama/llama-3-70b
    wildalias: { model: team-alpha, hidden: false }
`;

function resolver(yaml = YAML): ModelResolutionService {
  return new ModelResolutionService(new ConfigRegistryService({ loaded: parseConfigText(yaml, {}) }));
}

function errorOf(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

interface Expected {
  group: string;
  via: Resolution['via'];
  provider: string;
  upstreamModel: string;
  apiBase: string;
  chain?: string[];
  captures?: string[];
  /** Deployments in the group; the first is checked. */
  n?: number;
}

describe('ModelResolutionService.resolve', () => {
  const service = resolver();

  const table: [string, Expected][] = [
    // exact names; no prefix means openai
    ['bare', { group: 'bare', via: 'exact', provider: 'openai', upstreamModel: 'gpt-4o-mini', apiBase: 'https://api.openai.com/v1' }],
    ['mymodel', { group: 'mymodel', via: 'exact', provider: 'openrouter', upstreamModel: 'openai/gpt-4o', apiBase: 'https://openrouter.ai/api/v1' }],
    ['az', { group: 'az', via: 'exact', provider: 'azure', upstreamModel: 'my-deployment', apiBase: 'https://res.openai.azure.com' }],
    ['claude', { group: 'claude', via: 'exact', provider: 'anthropic', upstreamModel: 'claude-sonnet-4-5', apiBase: 'https://api.anthropic.com' }],
    // ollama: LiteLLM configs point at the server root; the OpenAI-compatible API is under /v1
    ['llama', { group: 'llama', via: 'exact', provider: 'ollama', upstreamModel: 'llama3.1', apiBase: 'http://127.0.0.1:11434/v1' }],
    ['llama-v1', { group: 'llama-v1', via: 'exact', provider: 'ollama', upstreamModel: 'llama3.1', apiBase: 'http://127.0.0.1:11434/v1' }],
    ['llama-default', { group: 'llama-default', via: 'exact', provider: 'ollama', upstreamModel: 'llama3.1', apiBase: 'http://localhost:11434/v1' }],
    ['vllm', { group: 'vllm', via: 'exact', provider: 'hosted_vllm', upstreamModel: 'meta/llama-3', apiBase: 'http://127.0.0.1:8000/v1' }],
    // custom_llm_provider: the model carries no prefix, and is sent whole
    ['custom', { group: 'custom', via: 'exact', provider: 'together_ai', upstreamModel: 'meta-llama/Llama-3-8b', apiBase: 'https://api.together.xyz/v1' }],
    ['groq-fast', { group: 'groq-fast', via: 'exact', provider: 'groq', upstreamModel: 'llama-3.1-8b-instant', apiBase: 'https://api.groq.com/openai/v1' }],
    // aliases: string form, {model, hidden} form, chains, and aliases into wildcards
    ['gpt4', { group: 'gpt-4o', via: 'alias', provider: 'openai', upstreamModel: 'gpt-4o', apiBase: 'https://api.openai.com/v1', chain: ['gpt4'], n: 2 }],
    ['smart', { group: 'mymodel', via: 'alias', provider: 'openrouter', upstreamModel: 'openai/gpt-4o', apiBase: 'https://openrouter.ai/api/v1', chain: ['smart'] }],
    ['chain1', { group: 'gpt-4o', via: 'alias', provider: 'openai', upstreamModel: 'gpt-4o', apiBase: 'https://api.openai.com/v1', chain: ['chain1', 'chain2', 'gpt4'], n: 2 }],
    ['or-llama', { group: 'openrouter/*', via: 'alias', provider: 'openrouter', upstreamModel: 'meta-llama/llama-3-70b', apiBase: 'https://openrouter.ai/api/v1', chain: ['or-llama'], captures: ['meta-llama/llama-3-70b'] }],
    ['wildalias', { group: 'team-*', via: 'alias', provider: 'groq', upstreamModel: 'alpha', apiBase: 'https://api.groq.com/openai/v1', chain: ['wildalias'], captures: ['alpha'] }],
    // wildcards, most specific first, captures carried into litellm_params.model
    ['openrouter/meta-llama/llama-3-70b', { group: 'openrouter/*', via: 'wildcard', provider: 'openrouter', upstreamModel: 'meta-llama/llama-3-70b', apiBase: 'https://openrouter.ai/api/v1', captures: ['meta-llama/llama-3-70b'] }],
    ['openrouter/openai/gpt-4o-mini', { group: 'openrouter/openai/*', via: 'wildcard', provider: 'openrouter', upstreamModel: 'openai/gpt-4o-mini', apiBase: 'https://openrouter.ai/api/v1', captures: ['gpt-4o-mini'] }],
    ['openrouter/openai/gpt-4o', { group: 'openrouter/openai/*', via: 'wildcard', provider: 'openrouter', upstreamModel: 'openai/gpt-4o', apiBase: 'https://openrouter.ai/api/v1', captures: ['gpt-4o'] }],
    ['anthropic/claude-opus-4', { group: 'anthropic/claude-*', via: 'wildcard', provider: 'anthropic', upstreamModel: 'claude-opus-4-latest', apiBase: 'https://api.anthropic.com', captures: ['opus-4'] }],
    ['team-beta', { group: 'team-*', via: 'wildcard', provider: 'groq', upstreamModel: 'beta', apiBase: 'https://api.groq.com/openai/v1', captures: ['beta'] }],
    ['pair/a/b', { group: 'pair/*/*', via: 'wildcard', provider: 'mistral', upstreamModel: 'a-b', apiBase: 'https://api.mistral.ai/v1', captures: ['a', 'b'] }],
    // `*` catches everything else; the captured name's own prefix picks the provider
    ['anthropic/claude3', { group: '*', via: 'wildcard', provider: 'anthropic', upstreamModel: 'claude3', apiBase: 'https://api.anthropic.com', captures: ['anthropic/claude3'] }],
    ['gpt-5', { group: '*', via: 'wildcard', provider: 'openai', upstreamModel: 'gpt-5', apiBase: 'https://api.openai.com/v1', captures: ['gpt-5'] }],
    ['deepseek/deepseek-chat', { group: '*', via: 'wildcard', provider: 'deepseek', upstreamModel: 'deepseek-chat', apiBase: 'https://api.deepseek.com/v1', captures: ['deepseek/deepseek-chat'] }],
    ['xai/grok-2', { group: '*', via: 'wildcard', provider: 'xai', upstreamModel: 'grok-2', apiBase: 'https://api.x.ai/v1', captures: ['xai/grok-2'] }],
    ['fireworks_ai/accounts/fireworks/models/llama', { group: '*', via: 'wildcard', provider: 'fireworks_ai', upstreamModel: 'accounts/fireworks/models/llama', apiBase: 'https://api.fireworks.ai/inference/v1', captures: ['fireworks_ai/accounts/fireworks/models/llama'] }],
  ];

  it.each(table)('%s', (name, e) => {
    for (const endpoint of ['chat', 'responses'] as Endpoint[]) {
      const r = service.resolve(name, endpoint);
      expect(r.requestedName).toBe(name);
      expect(r.group).toBe(e.group);
      expect(r.via).toBe(e.via);
      expect(r.aliasChain).toEqual(e.chain ?? []);
      expect(r.captures).toEqual(e.captures ?? []);
      expect(r.candidates).toHaveLength(e.n ?? 1);
      const t = r.candidates[0];
      expect({ group: t.group, provider: t.provider, upstreamModel: t.upstreamModel, apiBase: t.apiBase }).toEqual({
        group: e.group,
        provider: e.provider,
        upstreamModel: e.upstreamModel,
        apiBase: e.apiBase,
      });
      // The provider prefix never reaches the upstream model id.
      expect(t.upstreamModel.startsWith(`${t.provider}/`)).toBe(false);
    }
  });

  it('a group with several deployments returns all of them, each with its own settings', () => {
    const r = service.resolve('gpt-4o', 'chat');
    expect(r.via).toBe('exact');
    expect(r.candidates.map((t) => [t.deploymentId, t.upstreamModel, t.apiBase, t.credentials.apiKey])).toEqual([
      ['gpt-4o-1', 'gpt-4o', 'https://api.openai.com/v1', 'sk-a'],
      ['gpt-4o-2', 'gpt-4o-2024-08-06', 'http://10.0.0.1:8000/v1', 'sk-b'],
    ]);
  });

  it('carries credentials and per-deployment settings', () => {
    const t = service.resolve('az', 'chat').candidates[0];
    expect(t.credentials).toMatchObject({ apiKey: 'az-key', apiVersion: '2024-10-21' });
    expect(t.deploymentId).toMatch(/^gen-/);
    expect(t.settings.extraHeaders).toEqual({});
  });

  it('resolves the same way on chat and responses (one path)', () => {
    for (const [name] of table) {
      const chat = service.resolve(name, 'chat');
      const responses = service.resolve(name, 'responses');
      expect(responses).toEqual(chat);
    }
  });

  it('a long alias chain that the config accepted resolves at request time too', () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: ${i === 39 ? 'target' : `a${i + 1}`}`).join(', ');
    const long = resolver(`model_list:\n  - model_name: target\n    litellm_params: { model: openai/x }\nrouter_settings:\n  model_group_alias: { ${aliases} }`);
    const r = long.resolve('a0', 'chat');
    expect(r.group).toBe('target');
    expect(r.aliasChain).toHaveLength(40);
  });

  it('a custom_llm_provider wildcard carries the capture whole', () => {
    const t = resolver(`model_list:\n  - model_name: "team/*"\n    litellm_params: { model: "*", custom_llm_provider: groq }`).resolve('team/llama-3/8b', 'chat').candidates[0];
    expect([t.provider, t.upstreamModel]).toEqual(['groq', 'llama-3/8b']);
  });

  it('a wildcard capture keeps slashes and dots', () => {
    const t = service.resolve('openrouter/meta-llama/llama-3.1-405b-instruct:free', 'chat').candidates[0];
    expect(t.upstreamModel).toBe('meta-llama/llama-3.1-405b-instruct:free');
  });

  describe('failures', () => {
    const noWildcards = resolver(`
model_list:
  - model_name: a
    litellm_params: { model: openai/x }
  - model_name: openrouter/*
    litellm_params: { model: openrouter/* }
router_settings:
  model_group_alias: { b: a }
`);

    it.each(['nope', 'A', 'a ', 'openrouter', 'openai/x', 'b/', '*'])('unknown name %j → model_not_found', (name) => {
      const err = errorOf(() => noWildcards.resolve(name, 'chat'));
      expect(err.code).toBe(ErrorCode.ModelNotFound);
      expect(err.param).toBe('model');
      expect(err.message).toContain(name);
    });

    it('an over-long name is model_not_found, with the name truncated in the message', () => {
      const err = errorOf(() => noWildcards.resolve('x'.repeat(10_000), 'chat'));
      expect(err.code).toBe(ErrorCode.ModelNotFound);
      expect(err.message.length).toBeLessThan(400);
    });

    it.each([[''], [undefined], [null], [42], [{}]])('a non-string or empty model %j is invalid_request', (value) => {
      const err = errorOf(() => noWildcards.resolve(value as unknown as string, 'chat'));
      expect(err.code).toBe(ErrorCode.InvalidRequest);
      expect(err.param).toBe('model');
    });

    it.each(['foo/bar', 'unknown-vendor/some-model'])('`*` capturing an unknown provider %j → 400 naming it', (name) => {
      const err = errorOf(() => service.resolve(name, 'chat'));
      expect(err.code).toBe(ErrorCode.InvalidRequest);
      expect(err.param).toBe('model');
      expect(err.message).toContain(`unknown provider '${name.split('/')[0]}'`);
    });

    it('`*` capturing a provider that needs an api_base → 400', () => {
      const err = errorOf(() => service.resolve('hosted_vllm/some-model', 'chat'));
      expect(err.code).toBe(ErrorCode.InvalidRequest);
      expect(err.message).toContain("api_base is required for provider 'hosted_vllm'");
    });
  });

  describe('embeddings capability filter', () => {
    it('keeps only the deployments whose provider serves embeddings', () => {
      const r = service.resolve('mixed', 'embeddings');
      expect(r.candidates.map((t) => t.deploymentId)).toEqual(['mixed-openai']);
      expect(service.resolve('mixed', 'chat').candidates).toHaveLength(2);
    });

    it('rejects a model with no embedding-capable deployment with 400', () => {
      for (const name of ['claude', 'groq-fast', 'anthropic/claude-x']) {
        const err = errorOf(() => service.resolve(name, 'embeddings'));
        expect(err.code).toBe(ErrorCode.InvalidRequest);
        expect(err.message).toContain('does not support embeddings');
      }
    });

    it('unknown models are still 404 on embeddings', () => {
      expect(errorOf(() => resolver(`model_list:\n  - model_name: a\n    litellm_params: { model: openai/x }`).resolve('nope', 'embeddings')).code).toBe(
        ErrorCode.ModelNotFound,
      );
    });
  });

  describe('rerank capability filter', () => {
    const yaml = `model_list:
  - model_name: rank
    litellm_params: { model: cohere/rerank-v3.5, api_key: k }
    model_info: { id: rank-cohere }
  - model_name: rank
    litellm_params: { model: openai/gpt-4o, api_key: k }
    model_info: { id: rank-openai }
  - model_name: rank
    litellm_params: { model: voyage/rerank-2.5, api_key: k }
    model_info: { id: rank-voyage }
  - model_name: chat-only
    litellm_params: { model: openai/gpt-4o, api_key: k }
router_settings:
  model_group_alias: { ranker: rank }`;

    it('keeps only the deployments whose provider reranks, through an alias as directly', () => {
      const rerank = resolver(yaml);
      expect(rerank.resolve('ranker', 'rerank').candidates.map((t) => t.deploymentId)).toEqual(['rank-cohere', 'rank-voyage']);
      expect(rerank.resolve('rank', 'chat').candidates).toHaveLength(3);
    });

    it('a model with no rerank-capable deployment is a 400 like embeddings; unknown stays 404', () => {
      const rerank = resolver(yaml);
      const err = errorOf(() => rerank.resolve('chat-only', 'rerank'));
      expect(err.code).toBe(ErrorCode.InvalidRequest);
      expect(err.message).toBe("Model 'chat-only' does not support rerank.");
      expect(errorOf(() => rerank.resolve('nope', 'rerank')).code).toBe(ErrorCode.ModelNotFound);
    });
  });

  describe("caller's allowedModels", () => {
    const caller = (allowedModels: string[]): Caller => ({ kind: 'virtual', keyId: 'k1', allowedModels });

    it.each([
      [['gpt-4o'], 'gpt-4o'],
      [['gpt-4o'], 'gpt4'], // the group an alias resolves to
      [['gpt4'], 'gpt4'], // the alias itself
      [['openrouter/*'], 'openrouter/x/y'], // a wildcard group
      [['openrouter/meta-*'], 'openrouter/meta-llama/z'], // a pattern in the list
      [[], 'bare'], // empty list: everything
    ])('%j may use %s', (allowed, name) => {
      expect(service.resolve(name, 'chat', caller(allowed)).requestedName).toBe(name);
    });

    it.each([
      [['gpt4'], 'gpt-4o'], // allowing an alias does not allow the group under its own name
      [['bare'], 'gpt-4o'],
      [['openrouter/meta-*'], 'openrouter/openai/gpt-4o'],
    ])('%j may not use %s', (allowed, name) => {
      const err = errorOf(() => service.resolve(name, 'chat', caller(allowed)));
      expect(err.code).toBe(ErrorCode.Forbidden);
      expect(err.message).toContain(name);
    });

    it('unknown models are 404 before any permission question', () => {
      expect(errorOf(() => resolver(`model_list:\n  - model_name: a\n    litellm_params: { model: openai/x }`).resolve('zzz', 'chat', caller(['a']))).code).toBe(
        ErrorCode.ModelNotFound,
      );
    });
  });
});

describe('RoutingTable', () => {
  const table = RoutingTable.compile(parseConfigText(YAML, {}).config);

  it('orders wildcards most specific first, whatever the file order', () => {
    expect(table.wildcardPatterns().map((w) => w.pattern)).toEqual([
      'openrouter/openai/*',
      'anthropic/claude-*',
      'openrouter/*',
      'pair/*/*',
      'team-*',
      '*',
    ]);
    const reversed = RoutingTable.compile(
      parseConfigText(
        `model_list:\n  - model_name: "*"\n    litellm_params: { model: "*" }\n  - model_name: "openrouter/*"\n    litellm_params: { model: "openrouter/*" }\n  - model_name: "openrouter/openai/*"\n    litellm_params: { model: "openrouter/openai/*" }`,
        {},
      ).config,
    );
    expect(reversed.wildcardPatterns().map((w) => w.pattern)).toEqual(['openrouter/openai/*', 'openrouter/*', '*']);
    expect(reversed.matchWildcard('openrouter/openai/o1')?.pattern).toBe('openrouter/openai/*');
    expect(reversed.matchWildcard('openrouter/x')?.pattern).toBe('openrouter/*');
    expect(reversed.matchWildcard('x')?.pattern).toBe('*');
  });

  it('lists groups (not wildcard patterns) and aliases', () => {
    expect(table.groupNames()).toContain('gpt-4o');
    expect(table.groupNames().some((n) => n.includes('*'))).toBe(false);
    expect(table.alias('smart')).toEqual({ target: 'mymodel', hidden: true });
    expect(table.isResolvable('chain1')).toBe(true);
    expect(table.isResolvable('openrouter/anything')).toBe(true);
  });

  it('a wildcard does not match the empty capture', () => {
    const t = RoutingTable.compile(parseConfigText(`model_list:\n  - model_name: "openrouter/*"\n    litellm_params: { model: "openrouter/*" }`, {}).config);
    expect(t.matchWildcard('openrouter/')).toBeUndefined();
    expect(t.matchWildcard('openrouter')).toBeUndefined();
  });

  it('a regex metacharacter in a pattern is literal', () => {
    const t = RoutingTable.compile(parseConfigText(`model_list:\n  - model_name: "a.b/*"\n    litellm_params: { model: "openai/*" }`, {}).config);
    expect(t.matchWildcard('a.b/x')?.captures).toEqual(['x']);
    expect(t.matchWildcard('axb/x')).toBeUndefined();
  });

  it.each([
    ['openrouter/openai/gpt-4o', undefined, { provider: 'openrouter', upstreamModel: 'openai/gpt-4o' }],
    ['gpt-4o', undefined, { provider: 'openai', upstreamModel: 'gpt-4o' }],
    ['openai/gpt-4o', undefined, { provider: 'openai', upstreamModel: 'gpt-4o' }],
    ['ollama/llama3:8b', undefined, { provider: 'ollama', upstreamModel: 'llama3:8b' }],
    ['meta/llama', 'hosted_vllm', { provider: 'hosted_vllm', upstreamModel: 'meta/llama' }],
  ])('splitProvider(%s, %s)', (model, custom, expected) => {
    expect(splitProvider(model, custom)).toMatchObject(expected);
  });

  it.each([['foo/bar'], ['openai/']])('splitProvider(%s) is an error', (model) => {
    expect(splitProvider(model)).toHaveProperty('error');
  });
});
