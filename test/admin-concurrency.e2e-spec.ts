import OpenAI from 'openai';
import { chatCompletion, FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * 200 requests in flight while the model they use is rewritten in a loop. Each version changes
 * four settings at once (api_base, upstream model id, api_key, a header); a request that saw half
 * of an update would reach one upstream with the other version's model, key or header.
 */
const REQUESTS = 200;

describeBackends('admin writes under load', (backend) => {
  let store: TestStore;
  let upA: FakeUpstream;
  let upB: FakeUpstream;
  let gw: AdminGateway;

  beforeAll(async () => {
    store = await backend.create();
    upA = await FakeUpstream.start();
    upB = await FakeUpstream.start();
    gw = await startAdminGateway(`general_settings: { master_key: ${MASTER_KEY} }\n`, store.location);
  });

  afterAll(async () => {
    await gw?.close();
    await upA?.close();
    await upB?.close();
    await store?.dispose();
  });

  const version = (v: 'a' | 'b') => ({
    model: `openai/up-${v}`,
    api_base: `${(v === 'a' ? upA : upB).url}/v1`,
    api_key: `sk-version-${v}-0123456789abcdef`,
    extra_headers: { 'x-version': v },
  });

  it(`${REQUESTS} requests in flight during updates: none fails, none sees a mix`, async () => {
    const created = await admin(gw, 'POST', '/model/new', { model_name: 'flip', litellm_params: version('a'), model_info: { id: 'flip-1' } });
    expect(created.status).toBe(200);
    // Slow upstream answers keep requests in flight across several table swaps.
    for (const up of [upA, upB]) {
      for (let i = 0; i < REQUESTS; i++) up.enqueue({ delayMs: 15 + (i % 4) * 10, body: chatCompletion('whatever') });
    }

    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0 });
    let finished = false;
    const results = Promise.allSettled(
      Array.from({ length: REQUESTS }, async (_, i) => {
        await sleep(i * 2); // spread over ~400ms so arrivals interleave with updates
        return client.chat.completions.create({ model: 'flip', messages: [{ role: 'user', content: `req ${i}` }] });
      }),
    ).finally(() => {
      finished = true;
    });

    let updates = 0;
    while (!finished) {
      const next = updates % 2 === 0 ? 'b' : 'a';
      const res = await admin(gw, 'POST', '/model/update', { litellm_params: version(next), model_info: { id: 'flip-1' } });
      expect(res.status).toBe(200);
      updates++;
      await sleep(5);
    }

    const settled = await results;
    const failures = settled.filter((r) => r.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
    for (const r of settled) expect((r as PromiseFulfilledResult<OpenAI.ChatCompletion>).value.model).toBe('flip');

    expect(updates).toBeGreaterThanOrEqual(10);
    expect(upA.requests.length + upB.requests.length).toBe(REQUESTS);
    expect(upA.requests.length).toBeGreaterThan(0);
    expect(upB.requests.length).toBeGreaterThan(0);
    for (const [up, v] of [[upA, 'a'], [upB, 'b']] as const) {
      for (const req of up.requests) {
        expect([req.body.model, req.headers.authorization, req.headers['x-version']]).toEqual([
          `up-${v}`,
          `Bearer sk-version-${v}-0123456789abcdef`,
          v,
        ]);
      }
    }
  });
});
