import { TracingService } from './tracing.service.js';

describe('TracingService', () => {
  it('off: holds nothing and starts no span', async () => {
    const off = await TracingService.create(undefined, '', undefined);
    expect(off.enabled).toBe(false);
    expect(off.startRequest({ method: 'POST', headers: {}, originalUrl: '/v1/chat/completions' })).toBeUndefined();
    await off.flush();
    await off.onApplicationShutdown();
  });

  it('on: a SERVER span only for POSTs to inference routes, under the base path', async () => {
    const on = await TracingService.create(
      { endpoint: 'http://127.0.0.1:9/v1/traces', headers: {}, serviceName: 's', sampleRatio: 1, recordContent: false },
      '/gw',
      undefined,
    );
    try {
      expect(on.enabled).toBe(true);
      const post = (url: string) => on.startRequest({ method: 'POST', headers: {}, originalUrl: url });
      expect(post('/gw/v1/chat/completions?x=1')).toBeDefined();
      expect(post('/gw/v1/messages/count_tokens')).toBeDefined();
      expect(post('/v1/chat/completions')).toBeUndefined();
      expect(post('/gw/key/generate')).toBeUndefined();
      expect(on.startRequest({ method: 'GET', headers: {}, originalUrl: '/gw/v1/models' })).toBeUndefined();
    } finally {
      await on.onApplicationShutdown();
    }
  });
});
