import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { parseSse } from './helpers/assertions.js';
import { bedrockError, converseAnswer, converseStreamEvents, FakeBedrock } from './helpers/fake-bedrock.js';
import { leaveStreamAfterFirstChunk, rawPost, RunningGateway, startGateway } from './helpers/gateway.js';
import { admin, MASTER_KEY } from './helpers/store-backends.js';

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const ROLE = 'arn:aws:iam::123456789012:role/switchboard-bedrock';

/**
 * AWS Bedrock behind every endpoint: the openai SDK (and the AI SDK) talk to the gateway, which
 * signs Converse / ConverseStream / InvokeModel calls with SigV4 for a fake Bedrock runtime that
 * recomputes every signature with the known secret and refuses a bad one with AWS's 403. The
 * same fake serves STS, so assumed roles are exchanged, cached and refreshed for real.
 */
describe('Bedrock provider (e2e, openai SDK → gateway → fake Bedrock runtime + STS)', () => {
  let aws: FakeBedrock;
  let busy: FakeBedrock;
  let gw: RunningGateway;
  let client: OpenAI;
  const user: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
  const weather: ChatCompletionTool = {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  };
  const assumed = () => aws.stsRequests.filter((r) => r.action === 'AssumeRole');

  beforeAll(async () => {
    aws = await FakeBedrock.start();
    busy = await FakeBedrock.start();
    process.env.SB_TEST_AWS_ID = aws.accessKeyId;
    process.env.SB_TEST_AWS_SECRET = aws.secretAccessKey;
    const keys = `aws_access_key_id: ${aws.accessKeyId}, aws_secret_access_key: ${JSON.stringify(aws.secretAccessKey)}, aws_region_name: ${aws.region}`;
    // The same role, assumed under two session names: two credential cache entries.
    const roleEntry = (name: string, session: string) => `  - model_name: ${name}
    litellm_params: { model: bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0, ${keys}, aws_role_name: ${ROLE}, aws_session_name: ${session}, aws_sts_endpoint: ${aws.url}, aws_bedrock_runtime_endpoint: ${aws.url} }`;
    gw = await startGateway(`
model_list:
  - model_name: claude
    litellm_params:
      model: bedrock/${CLAUDE}
      aws_access_key_id: os.environ/SB_TEST_AWS_ID
      aws_secret_access_key: os.environ/SB_TEST_AWS_SECRET
      aws_region_name: ${aws.region}
      aws_bedrock_runtime_endpoint: ${aws.url}
  - model_name: llama
    litellm_params: { model: bedrock/converse/meta.llama3-1-70b-instruct-v1:0, api_base: ${aws.url}, ${keys} }
${roleEntry('role', 'sb-e2e')}
${roleEntry('role-short', 'sb-short')}
  - model_name: wrong-secret
    litellm_params: { model: bedrock/amazon.nova-pro-v1:0, aws_access_key_id: ${aws.accessKeyId}, aws_secret_access_key: not-the-secret-zz9, aws_region_name: ${aws.region}, aws_bedrock_runtime_endpoint: ${aws.url} }
  - model_name: titan
    litellm_params: { model: bedrock/amazon.titan-embed-text-v2:0, aws_bedrock_runtime_endpoint: ${aws.url}, ${keys} }
  - model_name: cohere-embed
    litellm_params: { model: bedrock/cohere.embed-english-v3, aws_bedrock_runtime_endpoint: ${aws.url}, ${keys} }
  - model_name: pool
    litellm_params: { model: bedrock/${CLAUDE}, aws_bedrock_runtime_endpoint: ${busy.url}, aws_access_key_id: ${busy.accessKeyId}, aws_secret_access_key: ${JSON.stringify(busy.secretAccessKey)}, aws_region_name: ${busy.region} }
    model_info: { id: pool-busy }
  - model_name: pool
    litellm_params: { model: bedrock/${CLAUDE}, aws_bedrock_runtime_endpoint: ${aws.url}, ${keys} }
    model_info: { id: pool-ok }
router_settings:
  num_retries: 2
  retry_after: 0.01
  allowed_fails: 0
  cooldown_time: 60
  model_group_alias: { sonnet: claude }
general_settings:
  master_key: ${MASTER_KEY}
`);
    client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
  });

  afterAll(async () => {
    await gw.close();
    await aws.close();
    await busy.close();
    delete process.env.SB_TEST_AWS_ID;
    delete process.env.SB_TEST_AWS_SECRET;
  });

  beforeEach(() => {
    aws.reset();
    busy.reset();
  });

  it('chat through an alias: Converse at /model/{id}/converse, SigV4-signed with the env credentials, the alias echoed back', async () => {
    const completion = await client.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'system', content: 'Be brief.' }, ...user],
      temperature: 0.1,
      max_tokens: 50,
      stop: ['END'],
    });
    const sent = aws.last();
    expect(sent.rawPath).toBe(`/model/${encodeURIComponent(CLAUDE)}/converse`);
    expect(sent.modelId).toBe(CLAUDE);
    expect(sent.signatureValid).toBe(true);
    expect(sent.accessKeyId).toBe(aws.accessKeyId);
    expect(sent.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${aws.accessKeyId}/\\d{8}/us-east-1/bedrock/aws4_request`));
    expect(sent.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 50, temperature: 0.1, stopSequences: ['END'] },
    });
    expect(completion.model).toBe('sonnet');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0].message.content).toBe('Hello from fake Bedrock');
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('a LiteLLM route prefix (bedrock/converse/…) is not part of the model id', async () => {
    await client.chat.completions.create({ model: 'llama', messages: user });
    expect(aws.last().modelId).toBe('meta.llama3-1-70b-instruct-v1:0');
    expect(aws.last().signatureValid).toBe(true);
    // No max_tokens from the client: Bedrock applies the model's own limit.
    expect(aws.last().body.inferenceConfig).toBeUndefined();
  });

  it('streams through ConverseStream: the binary event stream decoded into chunks, with usage when asked', async () => {
    const stream = await client.chat.completions.create({ model: 'claude', messages: user, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown;
    const finishes: (string | null)[] = [];
    for await (const chunk of stream) {
      expect(chunk.model).toBe('claude');
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(aws.last().operation).toBe('converse-stream');
    expect(aws.last().headers.accept).toBe('application/vnd.amazon.eventstream');
    expect(aws.last().signatureValid).toBe(true);
    expect(text).toBe('Hello from Bedrock');
    expect(finishes).toEqual(['stop']);
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
  });

  it('tools over two turns: toolSpecs and toolChoice, a toolUse back as tool_calls, the result sent as a toolResult', async () => {
    aws.reply(
      { json: converseAnswer('', { stopReason: 'tool_use', content: [{ toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris' } } }] }) },
      { json: converseAnswer('It is 18C in Paris.') },
    );
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.chat.completions.create({ model: 'claude', messages, tools: [weather], tool_choice: 'required' });
    expect(aws.last().body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', description: 'Weather', inputSchema: { json: weather.function.parameters } } }],
      toolChoice: { any: {} },
    });
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    const call = first.choices[0].message.tool_calls![0];
    expect(call.id).toBe('tooluse_abc');
    expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });

    messages.push(first.choices[0].message as ChatCompletionMessageParam, { role: 'tool', tool_call_id: call.id, content: '{"celsius":18}' });
    const second = await client.chat.completions.create({ model: 'claude', messages, tools: [weather] });
    expect(aws.last().body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Paris' } } }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc', content: [{ text: '{"celsius":18}' }] } }] },
    ]);
    expect(second.choices[0].message.content).toBe('It is 18C in Paris.');
  });

  it('a streamed tool call: contentBlockStart and toolUse input deltas become tool_call chunks', async () => {
    aws.reply({
      events: [
        { type: 'messageStart', payload: { role: 'assistant' } },
        { type: 'contentBlockStart', payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tu_s', name: 'get_weather' } } } },
        { type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } } },
        { type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { toolUse: { input: '"Oslo"}' } } } },
        { type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
        { type: 'messageStop', payload: { stopReason: 'tool_use' } },
        { type: 'metadata', payload: { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, metrics: { latencyMs: 1 } } },
      ],
    });
    const stream = await client.chat.completions.create({ model: 'claude', messages: user, tools: [weather], stream: true });
    let args = '';
    let id: string | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta?.tool_calls?.[0];
      if (tc?.id) id = tc.id;
      args += tc?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect({ id, args, finish }).toEqual({ id: 'tu_s', args: '{"city":"Oslo"}', finish: 'tool_calls' });
  });

  it('/v1/responses is bridged through chat', async () => {
    const response = await client.responses.create({ model: 'claude', input: 'Hi', instructions: 'Be brief.' });
    expect(aws.last().operation).toBe('converse');
    expect(aws.last().body.system).toEqual([{ text: 'Be brief.' }]);
    expect(response.output_text).toBe('Hello from fake Bedrock');
    expect(response.model).toBe('claude');
  });

  it('/v1/messages is bridged: an Anthropic client gets an Anthropic message', async () => {
    const res = await rawPost(`${gw.url}/v1/messages`, { model: 'claude', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }, {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'x-api-key': MASTER_KEY,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'message', role: 'assistant', model: 'claude', content: [{ type: 'text', text: 'Hello from fake Bedrock' }], stop_reason: 'end_turn' });
    expect(aws.last().body.inferenceConfig).toEqual({ maxTokens: 100 });
  });

  it('embeddings: Titan one text per InvokeModel call (order kept), Cohere in one call with input_type', async () => {
    const titan = await client.embeddings.create({ model: 'titan', input: ['first', 'second'], encoding_format: 'float' });
    const calls = aws.requests.filter((r) => r.operation === 'invoke');
    expect(calls.map((r) => r.body.inputText).sort()).toEqual(['first', 'second']);
    expect(calls.every((r) => r.modelId === 'amazon.titan-embed-text-v2:0' && r.signatureValid)).toBe(true);
    expect(titan.data.map((d) => d.index)).toEqual([0, 1]);
    expect(titan.data[0].embedding).not.toEqual(titan.data[1].embedding);
    expect(titan.usage.prompt_tokens).toBeGreaterThan(0);
    expect(titan.model).toBe('titan');

    aws.reset();
    // The SDK asks for base64 by default: the float32 bytes, decoded by the SDK.
    const cohere = await client.embeddings.create({ model: 'cohere-embed', input: ['a', 'b', 'c'] });
    expect(aws.requests).toHaveLength(1);
    expect(aws.last().body).toEqual({ texts: ['a', 'b', 'c'], input_type: 'search_document' });
    expect(cohere.data).toHaveLength(3);
    expect(cohere.data[0].embedding.length).toBeGreaterThan(0);
  });

  it('an assumed role: one signed AssumeRole call, its temporary credentials (with session token) sign every request', async () => {
    await client.chat.completions.create({ model: 'role', messages: user });
    await client.chat.completions.create({ model: 'role', messages: user });
    expect(assumed()).toHaveLength(1);
    expect(assumed()[0]).toMatchObject({ signatureValid: true, accessKeyId: aws.accessKeyId, params: { RoleArn: ROLE, RoleSessionName: 'sb-e2e' } });
    const calls = aws.requests.filter((r) => r.modelId === 'us.anthropic.claude-sonnet-4-20250514-v1:0');
    expect(calls).toHaveLength(2);
    expect(calls.every((r) => r.signatureValid && r.accessKeyId !== aws.accessKeyId && typeof r.headers['x-amz-security-token'] === 'string')).toBe(true);
  });

  it('the role is re-assumed before its credentials expire, and a failed refresh keeps the still-valid ones', async () => {
    // Five minutes is the refresh margin: credentials issued for 300 s are due for refresh on every use.
    aws.stsDurationSeconds = 300;
    const short = () => aws.stsRequests.filter((r) => r.action === 'AssumeRole' && r.params.RoleSessionName === 'sb-short');
    try {
      for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'role-short', messages: user });
      expect(short()).toHaveLength(3);
      const keysUsed = new Set(aws.requests.map((r) => r.accessKeyId));
      expect(keysUsed.size).toBe(3);
      aws.stsFailures = 1;
      const completion = await client.chat.completions.create({ model: 'role-short', messages: user });
      expect(completion.choices[0].message.content).toBe('Hello from fake Bedrock');
      expect(short()).toHaveLength(4);
      expect(aws.last().signatureValid).toBe(true);
      expect(keysUsed.has(aws.last().accessKeyId!)).toBe(true);
    } finally {
      aws.stsDurationSeconds = 3600;
    }
  });

  it('a wrong secret: the fake recomputes the signature and refuses it with 403, passed on without the secret', async () => {
    const err = await client.chat.completions.create({ model: 'wrong-secret', messages: user }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(403);
    expect((err as APIError).message).toMatch(/signature we calculated does not match/);
    expect(JSON.stringify((err as APIError).error)).not.toContain('not-the-secret-zz9');
    expect(aws.last().signatureValid).toBe(false);
  });

  it('a ValidationException is a 400 with its message; a too-long prompt is context_length_exceeded', async () => {
    aws.reply(bedrockError('ValidationException', 'Input is too long for requested model.', 400));
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'llama', messages: user }, { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'context_length_exceeded' });
    expect(res.body.error.message).toMatch(/Input is too long/);
  });

  it('ThrottlingException is retried on the other deployment, and the throttled one cools down', async () => {
    busy.always = bedrockError('ThrottlingException', 'Too many requests, please wait before trying again.', 429);
    const call = () => client.chat.completions.create({ model: 'pool', messages: user }).withResponse();
    for (let i = 0; i < 40 && busy.requests.length === 0; i++) expect((await call()).response.headers.get('x-switchboard-deployment')).toBe('pool-ok');
    expect(busy.requests).toHaveLength(1);
    expect(busy.last().signatureValid).toBe(true);
    for (let i = 0; i < 5; i++) expect((await call()).response.headers.get('x-switchboard-deployment')).toBe('pool-ok');
    expect(busy.requests).toHaveLength(1);
  });

  it('a throttled deployment with nowhere else to go is a 429 after the retries', async () => {
    aws.always = bedrockError('ThrottlingException', 'Too many requests, please wait before trying again.', 429);
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'llama', messages: user }, { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` });
    expect(res.status).toBe(429);
    expect(res.body.error.message).toMatch(/Too many requests/);
    expect(aws.requests).toHaveLength(3);
  });

  it('an exception in the middle of a stream ends it with an error event, not a silent cut', async () => {
    aws.reply({
      events: [
        { type: 'messageStart', payload: { role: 'assistant' } },
        { type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Hel' } } },
        { exception: 'modelStreamErrorException', message: 'The model stream failed.' },
      ],
    });
    const res = await rawPost(`${gw.url}/v1/chat/completions`, { model: 'llama', messages: user, stream: true }, { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` });
    expect(res.status).toBe(200);
    const events = parseSse(res.text);
    expect(events.some((e) => e.data.includes('"Hel"'))).toBe(true);
    const last = JSON.parse(events[events.length - 1].data);
    expect(last.error.message).toMatch(/model stream failed/);
    expect(res.text).not.toContain('[DONE]');
  });

  it('a throttling exception as the first stream event is retried like an HTTP 429', async () => {
    aws.reply({ events: [{ exception: 'throttlingException', message: 'slow down' }] });
    const stream = await client.chat.completions.create({ model: 'llama', messages: user, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from Bedrock');
    expect(aws.requests).toHaveLength(2);
  });

  it('a client that goes away mid-stream closes the upstream connection', async () => {
    aws.reply({ events: converseStreamEvents(['Hel']).slice(0, 2), stall: true });
    await leaveStreamAfterFirstChunk(gw.url, { model: 'claude', messages: user }, { authorization: `Bearer ${MASTER_KEY}` });
    await aws.waitForClientAborts(1, 2000);
  });

  it('/model/info shows the access key id and region, masks the secret, and never echoes it', async () => {
    const info = await admin(gw, 'GET', '/model/info');
    expect(info.status).toBe(200);
    const params = (name: string) => info.body.data.find((m: any) => m.model_name === name).litellm_params;
    expect(params('role')).toMatchObject({ aws_access_key_id: aws.accessKeyId, aws_region_name: 'us-east-1', aws_role_name: ROLE, aws_session_name: 'sb-e2e' });
    expect(params('role').aws_secret_access_key).toEqual(expect.any(String));
    expect(info.text).not.toContain(aws.secretAccessKey);
    expect(info.text).not.toContain(JSON.stringify(aws.secretAccessKey).slice(1, -1));
    expect(info.text).not.toContain('not-the-secret-zz9');
  });

  it('a model added over REST with AWS keys: masked in /model/info, and it serves', async () => {
    const added = await admin(gw, 'POST', '/model/new', {
      model_name: 'bedrock-rest',
      litellm_params: { model: `bedrock/${CLAUDE}`, aws_access_key_id: aws.accessKeyId, aws_secret_access_key: aws.secretAccessKey, aws_region_name: aws.region, aws_bedrock_runtime_endpoint: aws.url },
      model_info: { id: 'bedrock-rest-1' },
    });
    expect(added.status).toBe(200);
    expect(added.text).not.toContain(aws.secretAccessKey);
    const info = await admin(gw, 'GET', '/model/info?litellm_model_id=bedrock-rest-1');
    expect(info.text).not.toContain(aws.secretAccessKey);
    expect(info.body.data[0].litellm_params.aws_access_key_id).toBe(aws.accessKeyId);
    const completion = await client.chat.completions.create({ model: 'bedrock-rest', messages: user });
    expect(completion.choices[0].message.content).toBe('Hello from fake Bedrock');
    expect(aws.last().signatureValid).toBe(true);
  });

  it("a REST model naming its own endpoint never gets the gateway's environment credentials signed for it", async () => {
    process.env.AWS_ACCESS_KEY_ID = aws.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = aws.secretAccessKey;
    try {
      const refused = await admin(gw, 'POST', '/model/new', {
        model_name: 'bedrock-env-elsewhere',
        litellm_params: { model: `bedrock/${CLAUDE}`, aws_region_name: aws.region, aws_bedrock_runtime_endpoint: aws.url },
        model_info: { id: 'bedrock-env-elsewhere' },
      });
      expect(refused.status).toBe(400);
      expect(refused.text).toMatch(/aws_access_key_id.*environment AWS credentials are only used with AWS's own endpoints/);
      const viaSts = await admin(gw, 'POST', '/model/new', {
        model_name: 'bedrock-env-sts',
        litellm_params: { model: `bedrock/${CLAUDE}`, aws_region_name: aws.region, aws_role_name: ROLE, aws_sts_endpoint: aws.url },
        model_info: { id: 'bedrock-env-sts' },
      });
      expect(viaSts.status).toBe(400);
      expect(aws.requests).toHaveLength(0);
      expect(aws.stsRequests).toHaveLength(0);
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('the Vercel AI SDK (chat provider) gets its text from a Bedrock deployment', async () => {
    const provider = createOpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY });
    const { text, usage } = await generateText({ model: provider.chat('claude'), prompt: 'Hi' });
    expect(text).toBe('Hello from fake Bedrock');
    expect(usage.inputTokens).toBe(10);
  });
});
