import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import { expectOpenAiError } from './helpers/assertions.js';
import { cleanEnv, CliRun, freePort, runCli, waitUntilServing, writeTempConfig } from './helpers/cli.js';
import { FakeUpstream } from './helpers/fake-upstream.js';

/** The built CLI (`node dist/main.js`, what `npm start` runs), as a user starts it. */
describe('CLI', () => {
  let upstream: FakeUpstream;
  const running: CliRun[] = [];

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await upstream.close();
  });

  const config = (name: string) => `
model_list:
  - model_name: ${name}
    litellm_params: { model: openai/fake-model, api_base: "${upstream.url}/v1", api_key: sk-fake }
`;

  async function start(args: string[], env = cleanEnv(), port?: number) {
    const run = runCli(args, env);
    running.push(run);
    const url = `http://127.0.0.1:${port}`;
    await waitUntilServing(run, url);
    return { run, url, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 }) };
  }

  async function modelIds(client: OpenAI): Promise<string[]> {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    return ids.sort();
  }

  it('--config and --port', async () => {
    const port = await freePort();
    const { client } = await start(['--config', writeTempConfig(config('from-flag')), '--port', String(port), '--host', '127.0.0.1'], cleanEnv(), port);
    expect(await modelIds(client)).toEqual(['from-flag']);
    const completion = await client.chat.completions.create({ model: 'from-flag', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.model).toBe('from-flag');
    expect(upstream.last().body.model).toBe('fake-model');
  });

  it('CONFIG_PATH and PORT environment variables', async () => {
    const port = await freePort();
    const env = cleanEnv({ CONFIG_PATH: writeTempConfig(config('from-env')), PORT: String(port) });
    const { client } = await start(['--host', '127.0.0.1'], env, port);
    expect(await modelIds(client)).toEqual(['from-env']);
  });

  it('flags win over the environment', async () => {
    const port = await freePort();
    const env = cleanEnv({ CONFIG_PATH: writeTempConfig(config('from-env')), PORT: String(await freePort()) });
    const { client } = await start(['--config', writeTempConfig(config('from-flag')), '--port', String(port), '--host', '127.0.0.1'], env, port);
    expect(await modelIds(client)).toEqual(['from-flag']);
  });

  // Also the default host: no --host here, so this relies on the 0.0.0.0 default to be reachable on 127.0.0.1.
  describe('the bundled config/example.yaml with no provider keys set', () => {
    let client: OpenAI;
    let run: CliRun;

    beforeAll(async () => {
      const port = await freePort();
      run = runCli([], cleanEnv({ PORT: String(port) }));
      await waitUntilServing(run, `http://127.0.0.1:${port}`);
      client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'none', maxRetries: 0, timeout: 20_000 });
    });

    afterAll(() => run.stop());

    it('starts, warning about the unset variables without printing anything secret', async () => {
      expect(await modelIds(client)).toEqual(expect.arrayContaining(['gpt-4o', 'gpt-4o-mini', 'mymodel', 'claude-sonnet', 'gpt4']));
      expect(run.stdout() + run.stderr()).toContain('OPENAI_API_KEY');
    });

    const keyed: [string, string][] = [
      ['gpt-4o', 'OPENAI_API_KEY'],
      ['gpt-4o-mini', 'OPENAI_API_KEY'],
      ['gpt4', 'OPENAI_API_KEY'],
      ['mymodel', 'OPENROUTER_API_KEY'],
      ['openrouter/meta-llama/llama-3.1-8b-instruct', 'OPENROUTER_API_KEY'],
      ['claude-sonnet', 'ANTHROPIC_API_KEY'],
    ];
    // Sent concurrently: each may be retried with back-off, and the suite should stay fast.
    let outcomes: Promise<Map<string, unknown>>;
    beforeAll(() => {
      outcomes = Promise.all(
        keyed.map(([model]) =>
          client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] }).then(
            () => [model, undefined] as const,
            (e: unknown) => [model, e] as const,
          ),
        ),
      ).then((pairs) => new Map(pairs));
    });

    it.each(keyed)('%s answers a clear error naming %s', async (model, variable) => {
      const err = (await outcomes).get(model);
      expect(err).toBeInstanceOf(APIError);
      const e = err as APIError;
      // A gateway misconfiguration, not the provider's opaque 401: nothing was sent upstream.
      expect(e.status).toBe(502);
      expect(e.code).toBe('deployment_misconfigured');
      expect(e.message).toContain(`environment variable ${variable} is not set on the gateway`);
      expectOpenAiError({ error: e.error });
    });

    it('a model without a key (local ollama, nothing listening) answers 502 upstream_error, not a key error', async () => {
      // A developer running ollama would get 200 here: say so instead of passing or failing obscurely.
      if (await listening(11434)) throw new Error('something listens on localhost:11434 (a local ollama?): stop it to run this test');
      const res = await fetch(`${client.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'llama-local', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(502);
      const { code, message } = expectOpenAiError(await res.json());
      expect(code).toBe('upstream_error');
      expect(message).toContain('Could not reach upstream provider ollama');
      expect(message).not.toMatch(/API key|api_key/i);
    });
  });

  describe('a malformed config or command line stops start-up with one clear line', () => {
    // The cases; the other config mistakes are unit-tested in src/config (same loader, no process).
    /** [name, config YAML (or the args to run), what the one line must say] */
    const cases: [string, string | (() => string[]), string][] = [
      ['a missing config file', () => ['--config', '/nonexistent/dir/config.yaml'], 'cannot read config file /nonexistent/dir/config.yaml: file not found'],
      ['an invalid port', () => ['--config', writeTempConfig(config('x')), '--port', 'eighty'], "--port: 'eighty' is not a valid port number"],
      ['model_list not a list', 'model_list: {a: 1}\n', 'model_list: must be a list'],
      ['entry without model_name', 'model_list:\n  - litellm_params: { model: openai/x }\n', 'model_list[0].model_name: is required'],
      ['entry without litellm_params.model', 'model_list:\n  - model_name: a\n    litellm_params: { model: openai/x }\n  - model_name: b\n    litellm_params: { api_key: k }\n', 'model_list[1].litellm_params.model: is required'],
      ['unknown provider prefix', 'model_list:\n  - model_name: a\n    litellm_params: { model: openai/x }\n  - model_name: b\n    litellm_params: { model: openai/y }\n  - model_name: c\n    litellm_params: { model: nosuch/z }\n', "model_list[2].litellm_params.model: unknown provider 'nosuch'"],
    ];

    // Started concurrently, each on its own config file.
    let runs: Promise<Map<string, CliRun>>;
    beforeAll(() => {
      runs = Promise.all(
        cases.map(async ([name, yaml]) => {
          const args = typeof yaml === 'string' ? ['--config', writeTempConfig(yaml)] : yaml();
          const run = runCli([...args, ...(args.includes('--port') ? [] : ['--port', String(await freePort())]), '--host', '127.0.0.1']);
          running.push(run);
          await run.exited;
          return [name, run] as const;
        }),
      ).then((pairs) => new Map(pairs));
    });

    it.each(cases)('%s', async (name, _yaml, expected) => {
      const run = (await runs).get(name)!;
      expect(run.child.exitCode).not.toBe(0);
      expect(run.child.exitCode).not.toBeNull();
      const lines = run.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(expected);
      expect(lines[0]).toMatch(/^switchboard: /);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
    });
  });
});

describe('start-up with a config that is not YAML', () => {
  it('names the file as given, file:line:col, and shows the offending line', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'switchboard-yaml-'));
    mkdirSync(join(cwd, 'config'));
    writeFileSync(join(cwd, 'config', 'broken.yaml'), 'model_list:\n  - model_name: a\n   litellm_params: {}\n');
    const run = runCli(['--config', 'config/broken.yaml', '--port', String(await freePort()), '--host', '127.0.0.1'], cleanEnv(), cwd);
    expect(await run.exited).not.toBe(0);
    const lines = run.stderr().trim().split('\n');
    expect(lines[0]).toMatch(/^switchboard: invalid config: config\/broken\.yaml:3:4: invalid YAML: \S/);
    expect(lines[1]).toContain('3 |    litellm_params: {}');
    expect(lines[2]).toMatch(/\|\s{4}\^$/);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
