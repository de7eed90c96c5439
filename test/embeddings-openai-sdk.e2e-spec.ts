import OpenAI, { BadRequestError, NotFoundError, RateLimitError } from 'openai';
import { FakeUpstream, PROVIDER_PREFIXES } from './helpers/fake-upstream.js';
import { rawPost, RunningGateway, startGateway } from './helpers/gateway.js';

/** /v1/embeddings end to end: the official openai SDK → gateway → fake OpenAI-compatible servers. */
describe('embeddings (e2e, openai SDK)', () => {
  let upstream: FakeUpstream;
  let gw: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await FakeUpstream.start({ rejectPrefixes: PROVIDER_PREFIXES });
    gw = await startGateway(`
model_list:
  - model_name: embed-openai
    litellm_params: { model: openai/text-embedding-3-small, api_base: ${upstream.url}/v1, api_key: sk-openai }
  - model_name: embed-azure
    litellm_params: { model: azure/my-embedding-deployment, api_base: ${upstream.url}, api_version: 2024-06-01, api_key: az-key }
  - model_name: embed-vllm
    litellm_params: { model: hosted_vllm/BAAI/bge-m3, api_base: ${upstream.url}/vllm/v1 }
  - model_name: embed-mistral
    litellm_params: { model: mistral/mistral-embed, api_base: ${upstream.url}/mistral/v1, api_key: sk-mistral }
  - model_name: chat-groq
    litellm_params: { model: groq/llama-3.1-8b-instant, api_base: ${upstream.url}/groq/v1, api_key: sk-groq }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: ${upstream.url}/anthropic, api_key: sk-ant }
  - model_name: mixed
    litellm_params: { model: groq/llama-3.1-8b-instant, api_base: ${upstream.url}/groq/v1, api_key: sk-groq }
  - model_name: mixed
    litellm_params: { model: hosted_vllm/BAAI/bge-m3, api_base: ${upstream.url}/vllm/v1 }
router_settings:
  num_retries: 0
  model_group_alias:
    embedder: embed-openai
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await upstream.close();
  });

  beforeEach(() => upstream.reset());

  it('openai: floats, with the alias echoed and the prefix-free model id sent', async () => {
    const result = await client.embeddings.create({ model: 'embedder', input: ['a', 'b'], encoding_format: 'float', dimensions: 3 });

    expect(upstream.requests).toHaveLength(1);
    expect(upstream.last().path).toBe('/v1/embeddings');
    expect(upstream.last().headers.authorization).toBe('Bearer sk-openai');
    expect(upstream.last().body).toEqual({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 3 });
    expect(result.model).toBe('embedder');
    expect(result.data.map((d) => [d.index, d.embedding])).toEqual([
      [0, [0.1, 0.2, 0.3]],
      [1, [0.1, 0.2, 0.3]],
    ]);
    expect(result.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it("openai: the SDK's default base64 encoding is passed through and decodes on the client", async () => {
    const vector = new Float32Array([0.5, -1, 2]);
    upstream.enqueue({
      body: {
        object: 'list',
        model: 'text-embedding-3-small',
        data: [{ object: 'embedding', index: 0, embedding: Buffer.from(vector.buffer).toString('base64') }],
        usage: { prompt_tokens: 1, total_tokens: 1 },
      },
    });
    const result = await client.embeddings.create({ model: 'embed-openai', input: 'hello' });
    expect(upstream.last().body.encoding_format).toBe('base64');
    expect(Array.from(result.data[0].embedding)).toEqual([0.5, -1, 2]);
  });

  it('azure: the deployment is in the URL and the key in api-key', async () => {
    const result = await client.embeddings.create({ model: 'embed-azure', input: 'hello', encoding_format: 'float' });
    expect(upstream.last().path).toBe('/openai/deployments/my-embedding-deployment/embeddings');
    expect(upstream.last().headers['api-key']).toBe('az-key');
    expect(upstream.last().headers.authorization).toBeUndefined();
    expect(result.model).toBe('embed-azure');
    expect(result.data[0].embedding).toEqual([0.1, 0.2, 0.3]);
  });

  it.each([
    ['embed-vllm', '/vllm/v1/embeddings', 'BAAI/bge-m3'],
    ['embed-mistral', '/mistral/v1/embeddings', 'mistral-embed'],
  ])('OpenAI-compatible %s → %s with model %s', async (name, path, model) => {
    const result = await client.embeddings.create({ model: name, input: 'hello', encoding_format: 'float' });
    expect(upstream.last().path).toBe(path);
    expect(upstream.last().body.model).toBe(model);
    expect(result.model).toBe(name);
  });

  it.each(['chat-groq', 'claude'])('a chat-only provider (%s) → 400 saying the model cannot embed, nothing sent upstream', async (name) => {
    const err = await client.embeddings.create({ model: name, input: 'hello' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    const e = err as BadRequestError;
    expect(e.status).toBe(400);
    expect(e.param).toBe('model');
    expect(e.message).toContain(`Model '${name}' does not support embeddings`);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a group mixing chat-only and embedding deployments embeds on the capable one only', async () => {
    for (let i = 0; i < 6; i++) await client.embeddings.create({ model: 'mixed', input: `x${i}`, encoding_format: 'float' });
    expect(new Set(upstream.requests.map((r) => r.path))).toEqual(new Set(['/vllm/v1/embeddings']));
  });

  it('an unknown model → 404 model_not_found', async () => {
    const err = await client.embeddings.create({ model: 'nope', input: 'hello' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe('model_not_found');
  });

  it('an upstream 429 keeps its status', async () => {
    upstream.enqueue({ status: 429, headers: { 'retry-after': '3' }, body: { error: { message: 'slow down', type: 'rate_limit_error' } } });
    const err = await client.embeddings.create({ model: 'embed-openai', input: 'hello' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).message).toContain('slow down');
  });

  it('/embeddings without /v1 works; a body without input is a 400 naming it', async () => {
    const ok = await rawPost(`${gw.url}/embeddings`, { model: 'embed-vllm', input: 'hi' });
    expect(ok.status).toBe(200);
    expect(ok.body.model).toBe('embed-vllm');
    const bad = await rawPost(`${gw.url}/v1/embeddings`, { model: 'embed-vllm' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', param: 'input' });
    const badFormat = await rawPost(`${gw.url}/v1/embeddings`, { model: 'embed-vllm', input: 'x', encoding_format: 'hex' });
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.param).toBe('encoding_format');
  });
});
