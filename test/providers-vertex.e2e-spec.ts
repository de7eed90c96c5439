import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { parseSse } from './helpers/assertions.js';
import { FakeGoogle, googleError, type ServiceAccountKey } from './helpers/fake-google.js';
import { leaveStreamAfterFirstChunk, rawPost, RunningGateway, startGateway } from './helpers/gateway.js';
import { admin, MASTER_KEY } from './helpers/store-backends.js';

/**
 * Vertex AI behind every endpoint: Gemini models (generateContent), Claude models (rawPredict
 * with Anthropic's body) and embeddings (predict), authenticated with OAuth tokens the gateway
 * gets from a service-account key. The fake's token endpoint checks the JWT's signature against
 * a key pair generated for this run; its Vertex routes refuse any token it did not issue.
 */
describe('Vertex AI provider (e2e, openai SDK → gateway → fake Vertex AI + token endpoint)', () => {
  let google: FakeGoogle;
  let busy: FakeGoogle;
  let gw: RunningGateway;
  let client: OpenAI;
  let dir: string;
  let fileKey: ServiceAccountKey;
  let inlineKey: ServiceAccountKey;
  const user: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
  const weather: ChatCompletionTool = {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  };
  const tokensFor = (key: ServiceAccountKey, fake = google) => fake.tokenRequests.filter((t) => t.claims?.iss === key.client_email);

  beforeAll(async () => {
    google = await FakeGoogle.start();
    busy = await FakeGoogle.start();
    dir = mkdtempSync(join(tmpdir(), 'sb-vertex-'));
    fileKey = google.serviceAccount('file-project');
    inlineKey = google.serviceAccount('inline-project');
    writeFileSync(join(dir, 'sa.json'), JSON.stringify(fileKey));
    // Signed with a key the fake does not know: its token endpoint refuses the grant.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    writeFileSync(join(dir, 'stranger.json'), JSON.stringify({ ...google.serviceAccount('stranger'), private_key: stranger.privateKey }));
    writeFileSync(join(dir, 'busy.json'), JSON.stringify(busy.serviceAccount('busy-project')));
    process.env.SB_TEST_VERTEX_SA = JSON.stringify(inlineKey);
    gw = await startGateway(`
model_list:
  - model_name: vgem
    litellm_params:
      model: vertex_ai/gemini-2.5-pro
      api_base: ${google.url}
      vertex_project: my-project
      vertex_location: europe-west4
      vertex_credentials: ${join(dir, 'sa.json')}
  - model_name: vclaude
    litellm_params:
      model: vertex_ai/claude-sonnet-4-5@20250929
      api_base: ${google.url}/v1
      vertex_location: us-east5
      vertex_credentials: os.environ/SB_TEST_VERTEX_SA
  - model_name: vembed
    litellm_params:
      model: vertex_ai/text-embedding-005
      api_base: ${google.url}
      vertex_credentials: ${join(dir, 'sa.json')}
  - model_name: vstranger
    litellm_params:
      model: vertex_ai/gemini-2.5-flash
      api_base: ${google.url}
      vertex_credentials: ${join(dir, 'stranger.json')}
  - model_name: vpool
    litellm_params: { model: vertex_ai/gemini-2.5-flash, api_base: ${busy.url}, vertex_credentials: ${join(dir, 'busy.json')} }
    model_info: { id: vpool-busy }
  - model_name: vpool
    litellm_params: { model: vertex_ai/gemini-2.5-flash, api_base: ${google.url}, vertex_credentials: ${join(dir, 'sa.json')} }
    model_info: { id: vpool-ok }
router_settings:
  num_retries: 2
  retry_after: 0.01
  allowed_fails: 0
  cooldown_time: 60
  model_group_alias: { pro: vgem }
general_settings:
  master_key: ${MASTER_KEY}
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await google.close();
    await busy.close();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.SB_TEST_VERTEX_SA;
  });

  beforeEach(() => {
    google.reset();
    busy.reset();
  });

  it('Gemini chat through an alias: the regional project/location URL, a bearer token from the JWT grant', async () => {
    const completion = await client.chat.completions.create({ model: 'pro', messages: user });
    const sent = google.last();
    expect(sent.path).toBe('/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent');
    expect(sent.headers.authorization).toMatch(/^Bearer ya29\.fake-\d+$/);
    expect(sent.body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
    expect(completion.model).toBe('pro');
    expect(completion.choices[0].message.content).toBe('Hello from Gemini');
    const grants = tokensFor(fileKey);
    expect(grants.length).toBeGreaterThanOrEqual(1);
    expect(grants.every((g) => g.assertionValid && g.claims.scope === 'https://www.googleapis.com/auth/cloud-platform')).toBe(true);
  });

  it('the token is fetched once and reused by every request and deployment with the same credentials', async () => {
    const before = tokensFor(fileKey).length;
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'vgem', messages: user });
    await client.embeddings.create({ model: 'vembed', input: 'x' });
    await Promise.all([1, 2, 3].map(() => client.chat.completions.create({ model: 'vgem', messages: user })));
    expect(tokensFor(fileKey).length).toBe(Math.max(before, 1));
    expect(new Set(google.requests.map((r) => r.headers.authorization)).size).toBe(1);
  });

  it('a token Vertex refuses before its expiry is replaced at once: the request is re-sent with a new one', async () => {
    await client.chat.completions.create({ model: 'vgem', messages: user });
    const before = tokensFor(fileKey).length;
    google.revokeTokens();
    const completion = await client.chat.completions.create({ model: 'vgem', messages: user });
    expect(completion.choices[0].message.content).toBe('Hello from Gemini');
    expect(tokensFor(fileKey)).toHaveLength(before + 1);
    const [refused, resent] = google.requests.slice(-2).map((r) => r.headers.authorization);
    expect(resent).not.toBe(refused);
  });

  it('streams Gemini through streamGenerateContent?alt=sse', async () => {
    const stream = await client.chat.completions.create({ model: 'vgem', messages: user, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(google.last().path).toMatch(/gemini-2\.5-pro:streamGenerateContent$/);
    expect(google.last().query).toBe('alt=sse');
    expect(text).toBe('Hello from Gemini');
  });

  it('tools over two turns on Vertex Gemini', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather?' }];
    const first = await client.chat.completions.create({ model: 'vgem', messages, tools: [weather] });
    const call = first.choices[0].message.tool_calls![0];
    messages.push(first.choices[0].message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: 'sunny' });
    const second = await client.chat.completions.create({ model: 'vgem', messages, tools: [weather] });
    expect(google.last().body.contents[2]).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { content: 'sunny' } } }] });
    expect(second.choices[0].message.content).toBe('Result: {"content":"sunny"}');
  });

  it('/v1/responses is bridged through chat', async () => {
    const response = await client.responses.create({ model: 'vgem', input: 'Hi' });
    expect(google.last().path).toMatch(/:generateContent$/);
    expect(response.output_text).toBe('Hello from Gemini');
  });

  it('embeddings go to :predict with one instance per input', async () => {
    const res = await client.embeddings.create({ model: 'vembed', input: ['a', 'b'], dimensions: 2, encoding_format: 'float' });
    const sent = google.last();
    expect(sent.path).toBe('/v1/projects/file-project/locations/us-central1/publishers/google/models/text-embedding-005:predict');
    expect(sent.body).toEqual({ instances: [{ content: 'a' }, { content: 'b' }], parameters: { outputDimensionality: 2 } });
    expect(res.data.map((d) => d.embedding)).toEqual([[0.1, 0.2], [0.1, 0.2]]);
    expect(res.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
  });

  it('Claude on Vertex: rawPredict with the Anthropic body, anthropic_version in the body, no model; project from the key', async () => {
    const completion = await client.chat.completions.create({ model: 'vclaude', messages: [{ role: 'system', content: 'Terse.' }, ...user], max_tokens: 64 });
    const sent = google.last();
    expect(sent.path).toBe('/v1/projects/inline-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict');
    expect(sent.body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 64, system: 'Terse.', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe('Hello from Claude on Vertex');
    expect(completion.model).toBe('vclaude');
    expect(tokensFor(inlineKey)).toHaveLength(1);
  });

  it('Claude on Vertex streams through streamRawPredict', async () => {
    const stream = await client.chat.completions.create({ model: 'vclaude', messages: user, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(google.last().path).toMatch(/claude-sonnet-4-5@20250929:streamRawPredict$/);
    expect(google.last().body.stream).toBe(true);
    expect(text).toBe('Hello from Claude on Vertex');
  });

  it('/v1/messages: native rawPredict for Claude, bridged for Gemini', async () => {
    const headers = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': MASTER_KEY };
    const claude = await rawPost(`${gw.url}/v1/messages`, { model: 'vclaude', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] }, headers);
    expect(claude.status).toBe(200);
    expect(google.last().path).toMatch(/:rawPredict$/);
    expect(google.last().body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    expect(claude.body).toMatchObject({ type: 'message', model: 'vclaude', content: [{ type: 'text', text: 'Hello from Claude on Vertex' }] });

    const streamed = await rawPost(`${gw.url}/v1/messages`, { model: 'vclaude', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Hi' }] }, headers);
    expect(google.last().path).toMatch(/:streamRawPredict$/);
    expect(parseSse(streamed.text).map((e) => e.event)).toContain('message_stop');

    const gemini = await rawPost(`${gw.url}/v1/messages`, { model: 'vgem', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] }, headers);
    expect(gemini.status).toBe(200);
    expect(google.last().path).toMatch(/gemini-2\.5-pro:generateContent$/);
    expect(gemini.body).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from Gemini' }] });
  });

  it('a Claude deployment refuses embeddings with a 400', async () => {
    const res = await rawPost(`${gw.url}/v1/embeddings`, { model: 'vclaude', input: 'x' }, { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/does not serve embeddings/);
  });

  it('credentials the token endpoint refuses: a 401 naming the token step, no key material in it', async () => {
    const err = await client.chat.completions.create({ model: 'vstranger', messages: user }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(401);
    expect((err as APIError).message).toMatch(/Vertex AI access token.*invalid_grant/);
    expect(JSON.stringify((err as APIError).error)).not.toMatch(/PRIVATE KEY/);
    expect(google.requests).toHaveLength(0);
  });

  it('the fake refuses a bearer it did not issue with 401 UNAUTHENTICATED, mapped as the deployment being rejected', async () => {
    const res = await fetch(`${google.url}/v1/projects/p/locations/l/publishers/google/models/m:generateContent`, {
      method: 'POST',
      headers: { authorization: 'Bearer ya29.forged', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });

  it('RESOURCE_EXHAUSTED is retried on the other deployment, and the exhausted one cools down', async () => {
    busy.always = { status: 429, body: googleError(429, 'Resource exhausted. Please try again later.', 'RESOURCE_EXHAUSTED') };
    const call = () => client.chat.completions.create({ model: 'vpool', messages: [{ role: 'user', content: 'Hi' }] }).withResponse();
    // Until the shuffle has tried the exhausted deployment once: every answer still comes from the healthy one.
    for (let i = 0; i < 40 && busy.requests.length === 0; i++) expect((await call()).response.headers.get('x-switchboard-deployment')).toBe('vpool-ok');
    expect(busy.requests).toHaveLength(1);
    // Cooling down: no more attempts on it.
    for (let i = 0; i < 5; i++) expect((await call()).response.headers.get('x-switchboard-deployment')).toBe('vpool-ok');
    expect(busy.requests).toHaveLength(1);
  });

  it('an error in the middle of a Claude stream ends it with an error event', async () => {
    google.enqueue({
      sse: [
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'c', content: [], usage: { input_tokens: 1 } } })}\n\n`,
        `event: content_block_start\ndata: ${JSON.stringify({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } })}\n\n`,
        `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } })}\n\n`,
        `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`,
      ],
      raw: true,
    });
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'vclaude', messages: user, stream: true }, { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` });
    const events = parseSse(res.text);
    expect(events.some((e) => e.data.includes('"Hel"'))).toBe(true);
    expect(JSON.parse(events[events.length - 1].data).error.message).toMatch(/Overloaded/);
  });

  it('an error in the middle of a Gemini stream ends it with an error event', async () => {
    google.enqueue({ sse: [{ candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'Hel' }] } }] }, googleError(500, 'Internal error encountered.', 'INTERNAL')] });
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'vgem', messages: user, stream: true }, { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` });
    const events = parseSse(res.text);
    expect(JSON.parse(events[events.length - 1].data).error.message).toMatch(/Internal error encountered/);
  });

  it('a client that goes away mid-stream closes the upstream connection', async () => {
    google.enqueue({ sse: [{ candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'Hel' }] } }] }], stall: true });
    await leaveStreamAfterFirstChunk(gw.url, { model: 'vgem', messages: user }, { authorization: `Bearer ${MASTER_KEY}` });
    await google.waitForClientAborts(1, 2000);
  });

  it('a model added over REST with inline credentials JSON: masked in /model/info, and it serves', async () => {
    const key = google.serviceAccount('rest-project');
    const added = await admin(gw, 'POST', '/model/new', {
      model_name: 'vrest',
      litellm_params: { model: 'vertex_ai/gemini-2.5-flash', api_base: google.url, vertex_credentials: JSON.stringify(key) },
      model_info: { id: 'vrest-1' },
    });
    expect(added.status).toBe(200);
    const info = await admin(gw, 'GET', '/model/info?litellm_model_id=vrest-1');
    expect(info.status).toBe(200);
    expect(info.text).not.toContain('PRIVATE KEY');
    expect(info.text).not.toContain(key.client_email);
    expect(typeof info.body.data[0].litellm_params.vertex_credentials).toBe('string');
    const completion = await client.chat.completions.create({ model: 'vrest', messages: user });
    expect(completion.choices[0].message.content).toBe('Hello from Gemini');
    expect(google.last().path).toMatch(/^\/v1\/projects\/rest-project\//);
  });

  it('a file model shows a credentials path as written and an inline key masked', async () => {
    const info = await admin(gw, 'GET', '/model/info');
    const params = (name: string) => info.body.data.find((m: any) => m.model_name === name).litellm_params;
    expect(params('vgem')).toMatchObject({ vertex_credentials: join(dir, 'sa.json'), vertex_project: 'my-project', vertex_location: 'europe-west4' });
    expect(params('vclaude').vertex_credentials).not.toContain('PRIVATE KEY');
    expect(info.text).not.toContain('PRIVATE KEY');
  });
});
