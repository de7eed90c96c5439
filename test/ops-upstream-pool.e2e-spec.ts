import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { DEFAULT_UPSTREAM_MAX_SOCKETS, setUpstreamMaxSockets } from '../src/providers/upstream-http.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';

/**
 * How many sockets the gateway opens to one upstream host at once. Long LLM streams each hold a
 * socket, so the pool must allow hundreds; --upstream-max-sockets bounds it when an operator wants.
 */
describe('ops: upstream connection pool', () => {
  let upstream: http.Server;
  let url: string;
  let active = 0;
  let peak = 0;
  let served = 0;
  // Each request is held until `target` are open at once (then all are answered), or for `maxHoldMs`.
  let target = Infinity;
  let maxHoldMs = 500;
  let waiting: Array<() => void> = [];

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      req.resume();
      active++;
      peak = Math.max(peak, active);
      const answer = () => {
        active--;
        served++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          id: 'chatcmpl-pool', object: 'chat.completion', created: 1, model: 'gpt-4o',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }));
      };
      if (active >= target) {
        for (const release of waiting) release();
        waiting = [];
        answer();
        return;
      }
      let done = false;
      const once = () => {
        if (!done) (done = true), answer();
      };
      waiting.push(once);
      setTimeout(once, maxHoldMs);
    });
    upstream.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    setUpstreamMaxSockets(DEFAULT_UPSTREAM_MAX_SOCKETS); // the agents are process-wide
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });
  beforeEach(() => {
    peak = 0;
    served = 0;
  });

  const config = () => `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: ${url}/v1, api_key: sk-upstream, timeout: 60 }
`;
  const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  const post = (gw: OpsGateway) =>
    fetch(`${gw.baseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('by default more than 256 requests to one provider are in flight at once', async () => {
    target = 300;
    maxHoldMs = 20_000; // with a pool of 256 the 300th never arrives, and this test fails after 20 s
    const gw = await startOpsGateway(config());
    try {
      const results = await Promise.all(Array.from({ length: 300 }, () => post(gw).then((r) => r.status)));
      expect(results.filter((s) => s !== 200)).toEqual([]);
      expect(served).toBe(300);
      // The old fixed pool of 256 made request 257 wait for a free socket.
      expect(peak).toBe(300);
    } finally {
      await gw.close();
    }
  }, 60_000);

  it('--upstream-max-sockets bounds the sockets to one host; the rest wait and are served', async () => {
    target = Infinity;
    maxHoldMs = 500;
    const gw = await startOpsGateway(config(), { upstreamMaxSockets: 3 });
    try {
      const client = new OpenAI({ baseURL: gw.baseURL, apiKey: 'x', maxRetries: 0 });
      const replies = await Promise.all(
        Array.from({ length: 8 }, () => client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })),
      );
      expect(replies.map((r) => r.choices[0].message.content)).toEqual(Array(8).fill('ok'));
      expect(peak).toBe(3);
    } finally {
      await gw.close();
      setUpstreamMaxSockets(DEFAULT_UPSTREAM_MAX_SOCKETS);
    }
  }, 60_000);
});
