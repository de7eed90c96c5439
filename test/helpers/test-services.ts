import net from 'node:net';
import pg from 'pg';

/**
 * The external services some e2e tests need: PostgreSQL (TEST_DATABASE_URL) and Redis
 * (TEST_REDIS_URL). On a developer machine without them those tests are skipped, loudly. With
 * SWITCHBOARD_REQUIRE_TEST_SERVICES=1 (.ci/run sets it) a missing or unreachable service is a
 * failing test instead, because a skipped run looks exactly like a passing one in a CI log.
 */
export const REQUIRE_TEST_SERVICES = process.env.SWITCHBOARD_REQUIRE_TEST_SERVICES === '1';

export interface TestService {
  readonly name: 'PostgreSQL' | 'Redis';
  readonly envVar: 'TEST_DATABASE_URL' | 'TEST_REDIS_URL';
  readonly url: string | undefined;
  /** Why the service cannot be used; undefined when it answered. */
  readonly problem: string | undefined;
}

const PROBE_TIMEOUT_MS = 3000;

async function probePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A bare RESP PING, so the probe does not depend on the client library under test. */
function probeRedis(url: string): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port || 6379), u.hostname);
    let reply = '';
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    socket.on('error', done);
    socket.on('connect', () => {
      const auth = u.password ? `AUTH ${u.username ? `${decodeURIComponent(u.username)} ` : ''}${decodeURIComponent(u.password)}\r\n` : '';
      socket.write(`${auth}PING\r\n`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('+PONG')) done();
      else if (reply.startsWith('-') && reply.includes('\r\n')) done(new Error(reply.trim()));
    });
  });
}

const probes: Record<TestService['name'], (url: string) => Promise<void>> = { PostgreSQL: probePostgres, Redis: probeRedis };
const cache = new Map<string, Promise<TestService>>();

/** Probed once per test file; the URL's password is never part of the message. */
export function testService(name: TestService['name']): Promise<TestService> {
  const envVar = name === 'PostgreSQL' ? 'TEST_DATABASE_URL' : 'TEST_REDIS_URL';
  let found = cache.get(name);
  if (!found) {
    const url = process.env[envVar] || undefined;
    found = (async (): Promise<TestService> => {
      if (!url) return { name, envVar, url, problem: `${envVar} is not set` };
      try {
        await probes[name](url);
        return { name, envVar, url, problem: undefined };
      } catch (err) {
        return { name, envVar, url, problem: `${envVar} is set but ${name} at ${redact(url)} is unreachable: ${(err as Error).message}` };
      }
    })();
    cache.set(name, found);
  }
  return found;
}

/**
 * `describe` for tests that need `services`. All available: the suite runs. Otherwise, locally, it
 * is skipped with a loud warning; with SWITCHBOARD_REQUIRE_TEST_SERVICES=1 it is replaced by one
 * failing test naming what is missing.
 */
export function describeWithServices(title: string, services: readonly TestService[], fn: () => void): void {
  const problems = services.map((s) => s.problem).filter((p): p is string => p !== undefined);
  if (problems.length === 0) {
    describe(title, fn);
    return;
  }
  if (REQUIRE_TEST_SERVICES) {
    describe(title, () => {
      it('has the test services it needs (SWITCHBOARD_REQUIRE_TEST_SERVICES=1)', () => {
        throw new Error(`${problems.join('; ')}. Start the services (.ci/run does) or unset SWITCHBOARD_REQUIRE_TEST_SERVICES.`);
      });
    });
    return;
  }
  // Loud on purpose: a silently skipped run looks exactly like a passing one.
  console.warn(`\n*** SKIPPED '${title}': ${problems.join('; ')} (run .ci/run to include it) ***\n`);
  describe.skip(title, fn);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** One PostgreSQL connection for the duration of fn (creating and dropping a suite's own database). */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
