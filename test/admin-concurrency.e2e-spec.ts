import OpenAI from 'openai';
import { chatCompletion, ConcurrencyGauge, FakeUpstream, sleep } from './helpers/fake-upstream.js';
import { admin, AdminGateway, describeBackends, MASTER_KEY, startAdminGateway, TestStore } from './helpers/store-backends.js';

/**
 * 200 requests in flight at once while the model they use is rewritten in a loop. Each version
 * changes four settings at once (api_base, upstream model id, api_key, a header); a request that
 * saw half of an update would reach one upstream with the other version's model, key or header.
 * The upstreams hold every answer long enough that all requests really are open together, and
 * count how many they hold, so the test proves the writes landed under that load.
 */
const REQUESTS = 200;
// Long enough for all 200 to arrive on a loaded 2-core machine (arrivals took ~1.2 s there).
const UPSTREAM_DELAY_MS = 3000;

describeBackends('admin writes under load', (backend) => {
  let store: TestStore;
  let upA: FakeUpstream;
  let upB: FakeUpstream;
  let gw: AdminGateway;
  const gauge: ConcurrencyGauge = { current: 0, peak: 0 };

  beforeAll(async () => {
    store = await backend.create();
    upA = await FakeUpstream.start({ gauge });
    upB = await FakeUpstream.start({ gauge });
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

  it(`${REQUESTS} requests in flight at once during updates: none fails, none sees a mix`, async () => {
    const created = await admin(gw, 'POST', '/model/new', { model_name: 'flip', litellm_params: version('a'), model_info: { id: 'flip-1' } });
    expect(created.status).toBe(200);
    upA.always = { delayMs: UPSTREAM_DELAY_MS, body: chatCompletion('whatever', 'answer from a') };
    upB.always = { delayMs: UPSTREAM_DELAY_MS, body: chatCompletion('whatever', 'answer from b') };

    const client = new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0, timeout: 60_000 });
    let finished = false;
    const results = Promise.allSettled(
      Array.from({ length: REQUESTS }, (_, i) => client.chat.completions.create({ model: 'flip', messages: [{ role: 'user', content: `req ${i}` }] })),
    ).finally(() => {
      finished = true;
    });

    let updates = 0;
    /** Upstream requests open when each admin write had just been applied. */
    const openAtWrite: number[] = [];
    while (!finished) {
      const next = updates % 2 === 0 ? 'b' : 'a';
      const res = await admin(gw, 'POST', '/model/update', { litellm_params: version(next), model_info: { id: 'flip-1' } });
      expect(res.status).toBe(200);
      openAtWrite.push(gauge.current);
      updates++;
      await sleep(5);
    }

    const settled = await results;
    const failures = settled.filter((r) => r.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);

    expect(gauge.peak).toBeGreaterThanOrEqual(150);
    expect(openAtWrite.filter((n) => n >= 150).length).toBeGreaterThanOrEqual(3);
    expect(updates).toBeGreaterThanOrEqual(3);
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
    // Each answer came back whole from the upstream its request was sent to.
    const answers = settled.map((r) => (r as PromiseFulfilledResult<OpenAI.ChatCompletion>).value);
    for (const a of answers) expect(a.model).toBe('flip');
    const fromA = answers.filter((a) => a.choices[0].message.content === 'answer from a').length;
    const fromB = answers.filter((a) => a.choices[0].message.content === 'answer from b').length;
    expect([fromA, fromB]).toEqual([upA.requests.length, upB.requests.length]);
  }, 60_000);
});
