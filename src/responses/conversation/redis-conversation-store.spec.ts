import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { conversationStoreContract, expectStoreUnavailable, storedResponse } from '../../../test/helpers/conversation-store-contract.js';
import { describeWithServices, testService } from '../../../test/helpers/test-services.js';
import { RedisConversationStore } from './redis-conversation-store.js';

/** The options RedisService connects with: no offline queue, so a dead Redis fails at once. */
function connect(url: string, extra: Record<string, unknown> = {}): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 500, ...extra });
  client.on('error', () => undefined);
  return client;
}

function ready(client: Redis): Promise<void> {
  return client.status === 'ready' ? Promise.resolve() : new Promise((resolve) => client.once('ready', () => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

const redis = await testService('Redis');

describeWithServices('RedisConversationStore (TEST_REDIS_URL)', [redis], () => {
  const prefix = `sbtest:conv:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`;
  let client: Redis;
  let other: Redis;

  beforeAll(async () => {
    client = connect(redis.url!);
    other = connect(redis.url!);
    await Promise.all([ready(client), ready(other)]);
  });

  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
    await Promise.all([client.quit(), other.quit()]);
  });

  describe('the ConversationStore contract', () => {
    conversationStoreContract(() => new RedisConversationStore(client, prefix));
  });

  it('is shared: what one replica saves, another one finds', async () => {
    const a = new RedisConversationStore(client, prefix);
    const b = new RedisConversationStore(other, prefix);
    const saved = storedResponse('key:k1');
    await a.save(saved, 60_000);
    const found = await b.load('key:k1', saved.id, [saved.output[0].id as string]);
    expect(found.previous).toEqual(saved);
    expect(found.items.get(saved.output[0].id as string)).toEqual(saved.output[0]);
  });

  it('keys live under the prefix and expire with the TTL', async () => {
    const store = new RedisConversationStore(client, prefix);
    const saved = storedResponse('anonymous');
    await store.save(saved, 60_000);
    const keys = (await client.keys(`${prefix}*${saved.id.slice(5)}`)).sort();
    expect(keys).toEqual([`${prefix}responses:i:${saved.output[0].id}`, `${prefix}responses:i:${saved.output[1].id}`, `${prefix}responses:r:${saved.id}`].sort());
    for (const key of keys) {
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    const short = storedResponse('anonymous');
    await store.save(short, 150);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const gone = await store.load('anonymous', short.id, [short.output[0].id as string]);
    expect(gone.previous).toBeUndefined();
    expect(gone.items.size).toBe(0);
  });

  it('a different prefix (another gateway on the same Redis) does not see the entries', async () => {
    const saved = storedResponse('anonymous');
    await new RedisConversationStore(client, prefix).save(saved, 60_000);
    expect((await new RedisConversationStore(client, `${prefix}other:`).load('anonymous', saved.id, [])).previous).toBeUndefined();
  });

  it('refuses a response larger than the bound without writing anything', async () => {
    const store = new RedisConversationStore(client, prefix, 2000, 2_000);
    const huge = { ...storedResponse('anonymous'), input: [{ role: 'user', content: 'x'.repeat(5_000) }] };
    expect(await store.save(huge, 60_000)).toBe(false);
    expect(await client.exists(`${prefix}responses:r:${huge.id}`)).toBe(0);
  });
});

describe('RedisConversationStore without a working Redis', () => {
  it('a Redis that refuses connections → ResponseStoreUnavailable at once', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = connect(`redis://127.0.0.1:${port}`, { retryStrategy: () => null });
    try {
      const store = new RedisConversationStore(client, 'sbtest:', 5_000);
      const started = Date.now();
      expectStoreUnavailable(await rejection(store.load('anonymous', 'resp_1', [])));
      expectStoreUnavailable(await rejection(store.save(storedResponse('anonymous'), 60_000)));
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      client.disconnect();
    }
  });

  it('a Redis that stops answering → ResponseStoreUnavailable after the bounded wait', async () => {
    const sockets: net.Socket[] = [];
    // Completes the client's connection handshake (HELLO refused, so RESP2; CLIENT SETINFO accepted), then goes silent.
    const silent = net.createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (data) => {
        for (const m of data.toString('utf8').toLowerCase().matchAll(/\$\d+\r\n(hello|client)\r\n/g)) {
          socket.write(m[1] === 'hello' ? "-ERR unknown command 'hello'\r\n" : '+OK\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = connect(`redis://127.0.0.1:${(silent.address() as AddressInfo).port}`, { enableReadyCheck: false });
    try {
      await ready(client);
      const store = new RedisConversationStore(client, 'sbtest:', 300);
      const started = Date.now();
      expectStoreUnavailable(await rejection(store.load('anonymous', 'resp_1', ['msg_1'])));
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(1_500);
      expectStoreUnavailable(await rejection(store.save(storedResponse('anonymous'), 60_000)));
    } finally {
      client.disconnect();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
