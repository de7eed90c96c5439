import net from 'node:net';
import { cleanEnv, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { describeWithServices, testService, withClient } from './helpers/test-services.js';

/**
 * An unreachable PostgreSQL store at start-up: one line naming the store (password masked) and
 * the cause, a bounded retry with backoff (a database often comes up after the gateway's pod),
 * then exit 1. Never a stack trace.
 */
const CONFIG = 'model_list: []\n';

describe('store: unreachable PostgreSQL at start-up', () => {
  it('retries for --store-connect-timeout, then exits 1 with one line and no stack or password', async () => {
    const closed = await freePort();
    const started = Date.now();
    const run = runCli(
      ['--config', writeTempConfig(CONFIG), '--port', String(await freePort()), '--host', '127.0.0.1', '--store-connect-timeout', '2'],
      cleanEnv({ DATABASE_URL: `postgres://sb:hunter2-secret@127.0.0.1:${closed}/sb` }),
    );
    const code = await run.exited;
    const waited = Date.now() - started;
    expect(code).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(2000);
    const stderr = run.stderr();
    expect(stderr.trim().split('\n')).toEqual([
      `switchboard: store postgres://sb:***@127.0.0.1:${closed}/sb unreachable: connect ECONNREFUSED 127.0.0.1:${closed} (gave up after 2 s)`,
    ]);
    const all = stderr + run.stdout();
    expect(all).not.toContain('hunter2-secret');
    expect(all).not.toMatch(/\n\s+at /);
    // The retry is announced once, not once per attempt.
    expect(run.stdout().match(/retrying for up to 2 s/g)).toHaveLength(1);
  });

  it('STORE_CONNECT_TIMEOUT=0 fails at once', async () => {
    const closed = await freePort();
    const started = Date.now();
    const run = runCli(
      ['--config', writeTempConfig(CONFIG), '--port', String(await freePort()), '--host', '127.0.0.1'],
      cleanEnv({ DATABASE_URL: `postgres://sb:pw@127.0.0.1:${closed}/sb`, STORE_CONNECT_TIMEOUT: '0' }),
    );
    expect(await run.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.stderr()).toContain('unreachable: connect ECONNREFUSED');
  });

  it('a malformed --store-connect-timeout is a usage error (exit 2)', async () => {
    const run = runCli(['--config', writeTempConfig(CONFIG), '--store-connect-timeout', 'soon']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain("--store-connect-timeout: 'soon' is not a number of seconds");
  });
});

const postgres = await testService('PostgreSQL');

describeWithServices('store: PostgreSQL that comes up during the retry window', [postgres], () => {
  it('serves once the database answers (a TCP proxy that starts forwarding after 2 s)', async () => {
    const target = new URL(postgres.url!);
    const db = `sb_retry_${process.pid}`;
    await withClient(postgres.url!, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${db}`);
      await c.query(`CREATE DATABASE ${db}`);
    });
    let forwarding = false;
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      if (!forwarding) return client.destroy();
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      upstream.on('close', end);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyPort = (proxy.address() as net.AddressInfo).port;
    const url = new URL(postgres.url!);
    url.host = `127.0.0.1:${proxyPort}`;
    url.pathname = `/${db}`;
    const port = await freePort();
    const run = runCli(
      ['--config', writeTempConfig(CONFIG), '--port', String(port), '--host', '127.0.0.1', '--store-connect-timeout', '30'],
      cleanEnv({ DATABASE_URL: url.toString() }),
    );
    const timer = setTimeout(() => (forwarding = true), 2000);
    try {
      await waitUntilServing(run, `http://127.0.0.1:${port}`, 25_000);
      expect((await fetch(`http://127.0.0.1:${port}/health/readiness`)).status).toBe(200);
      // Start-up log lines are buffered until the app is up; stopping flushes them.
      await run.stop();
      expect(run.stdout()).toMatch(/unreachable .*retrying for up to 30 s/);
      expect(run.stdout()).toMatch(/store postgres:\/\/\S+ reachable/);
    } finally {
      clearTimeout(timer);
      await run.stop();
      for (const s of sockets) s.destroy();
      proxy.close();
      await withClient(postgres.url!, (c) => c.query(`DROP DATABASE IF EXISTS ${db}`)).catch(() => undefined);
    }
  }, 40_000);
});
