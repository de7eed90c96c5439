import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import OpenAI, { APIError, BadRequestError } from 'openai';
import type { Response, ResponseCreateParamsStreaming, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeAnthropic } from './helpers/fake-anthropic.js';
import { describeWithServices, testService } from './helpers/test-services.js';

/**
 * Bridged conversation state across replicas: two gateway processes (`node dist/main.js`) share
 * one Redis, a response created on A is continued on B (previous_response_id) and referenced on B
 * (item_reference), streamed or not. And with Redis unreachable, a continuation is a prompt 503.
 * Needs TEST_REDIS_URL (.ci/run sets it).
 */
const redis = await testService('Redis');

interface Replica {
  run: CliRun;
  url: string;
  client: OpenAI;
  dataDir: string;
}

async function startReplica(config: string, env: NodeJS.ProcessEnv): Promise<Replica> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-conv-'));
  const run = runCli(['--config', config, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], env);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilServing(run, url, 20_000);
  return { run, url, dataDir, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 }) };
}

async function stopReplica(r: Replica | undefined): Promise<void> {
  if (!r) return;
  await r.run.stop();
  rmSync(r.dataDir, { recursive: true, force: true });
}

function configFor(fake: FakeAnthropic, ttl?: number): string {
  return writeTempConfig(`
model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: ${fake.url}, api_key: sk-ant-test }
router_settings: { num_retries: 0 }
${ttl === undefined ? '' : `general_settings: { responses_store_ttl: ${ttl} }`}
`);
}

/** The SDK's Response type has no `store`, though the API returns it. */
const storeOf = (response: object): unknown => (response as { store?: unknown }).store;

async function streamed(client: OpenAI, body: Record<string, unknown>): Promise<Response> {
  const stream = await client.responses.create({ model: 'claude', ...body, stream: true } as ResponseCreateParamsStreaming);
  let last: ResponseStreamEvent | undefined;
  for await (const e of stream) last = e;
  if (last?.type !== 'response.completed') throw new Error(`expected response.completed, got ${last?.type}`);
  return last.response;
}

describeWithServices('bridged conversations across two replicas sharing Redis', [redis], () => {
  const prefix = `sbtest:conv:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
  let fake: FakeAnthropic;
  let a: Replica;
  let b: Replica;
  let inspect: Redis;

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    const config = configFor(fake, 120);
    const env = cleanEnv({ REDIS_URL: redis.url!, REDIS_KEY_PREFIX: prefix });
    [a, b] = await Promise.all([startReplica(config, env), startReplica(config, env)]);
    inspect = new Redis(redis.url!, { maxRetriesPerRequest: 1 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([stopReplica(a), stopReplica(b)]);
    if (inspect) {
      const keys = await inspect.keys(`${prefix}*`);
      if (keys.length > 0) await inspect.del(...keys);
      await inspect.quit();
    }
    await fake?.close();
  }, 30_000);

  beforeEach(() => fake.reset());

  it('turn 1 on A, turn 2 on B with previous_response_id: B sends the whole conversation', async () => {
    const first = await a.client.responses.create({ model: 'claude', instructions: 'Be terse.', input: 'Capital of France?' });
    expect(storeOf(first)).toBe(true);
    const second = await b.client.responses.create({ model: 'claude', previous_response_id: first.id, input: 'And Spain?' });
    expect(second.previous_response_id).toBe(first.id);
    expect(fake.requests).toHaveLength(2);
    expect(fake.last().body.system).toBeUndefined();
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Echo: Capital of France?' },
      { role: 'user', content: 'And Spain?' },
    ]);
    // And back to A for turn 3: the chain holds whichever replica serves.
    await a.client.responses.create({ model: 'claude', previous_response_id: second.id, input: 'And Italy?' });
    expect(fake.last().body.messages).toHaveLength(5);
  });

  it('streamed: B can continue the moment A has sent response.completed', async () => {
    const first = await streamed(a.client, { input: 'Tell me a story' });
    const second = await streamed(b.client, { previous_response_id: first.id, input: 'Go on' });
    expect(storeOf(second)).toBe(true);
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'Tell me a story' },
      { role: 'assistant', content: 'Echo: Tell me a story' },
      { role: 'user', content: 'Go on' },
    ]);
  });

  it('item_reference made on B to an item produced on A (streamed and not)', async () => {
    const plain = await a.client.responses.create({ model: 'claude', input: 'One' });
    const live = await streamed(a.client, { input: 'Two' });
    await b.client.responses.create({
      model: 'claude',
      input: [
        { role: 'user', content: 'One' },
        { type: 'item_reference', id: plain.output[0].id! },
        { role: 'user', content: 'Two' },
        { type: 'item_reference', id: live.output[0].id! },
        { role: 'user', content: 'Three' },
      ],
    });
    expect(fake.last().body.messages).toEqual([
      { role: 'user', content: 'One' },
      { role: 'assistant', content: 'Echo: One' },
      { role: 'user', content: 'Two' },
      { role: 'assistant', content: 'Echo: Two' },
      { role: 'user', content: 'Three' },
    ]);
  });

  it('store: false on A is not continuable on B', async () => {
    const first = await a.client.responses.create({ model: 'claude', input: 'Forget me', store: false });
    const err = await b.client.responses.create({ model: 'claude', previous_response_id: first.id, input: 'x' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).code).toBe('previous_response_not_found');
    expect(await inspect.exists(`${prefix}responses:r:${first.id}`)).toBe(0);
  });

  it('entries live under REDIS_KEY_PREFIX and expire after general_settings.responses_store_ttl', async () => {
    const response = await a.client.responses.create({ model: 'claude', input: 'hi' });
    for (const key of [`${prefix}responses:r:${response.id}`, `${prefix}responses:i:${response.output[0].id}`]) {
      const ttl = await inspect.pttl(key);
      expect(ttl).toBeGreaterThan(110_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    }
  });
});

describe('bridged conversations with REDIS_URL unreachable', () => {
  let fake: FakeAnthropic;
  let gw: Replica;

  beforeAll(async () => {
    fake = await FakeAnthropic.start(['sk-ant-test']);
    gw = await startReplica(configFor(fake), cleanEnv({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }));
  }, 30_000);

  afterAll(async () => {
    await stopReplica(gw);
    await fake?.close();
  });

  it('previous_response_id and item_reference → prompt 503 response_store_unavailable, nothing sent upstream', async () => {
    for (const body of [
      { previous_response_id: 'resp_somewhere', input: 'hi' },
      { input: [{ type: 'item_reference' as const, id: 'msg_somewhere' }] },
      { previous_response_id: 'resp_somewhere', input: 'hi', stream: true },
    ]) {
      const started = Date.now();
      const err = await gw.client.responses.create({ model: 'claude', ...body } as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(err).toBeInstanceOf(APIError);
      expect((err as APIError).status).toBe(503);
      expect((err as APIError).code).toBe('response_store_unavailable');
      expect((err as APIError).headers?.get('retry-after')).toBe('1');
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('a request that continues nothing is answered, marked store: false since it could not be kept', async () => {
    const response = await gw.client.responses.create({ model: 'claude', input: 'hi' });
    expect(response.output_text).toBe('Echo: hi');
    expect(storeOf(response)).toBe(false);
    const live = await streamed(gw.client, { input: 'hi' });
    expect(storeOf(live)).toBe(false);
    const unkept = await gw.client.responses.create({ model: 'claude', input: 'hi', store: false });
    expect(storeOf(unkept)).toBe(false);
  });
});
