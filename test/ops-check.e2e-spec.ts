import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, MAIN, ROOT, runCli, writeTempConfig } from './helpers/cli.js';

/** `node dist/main.js check --config file.yaml`: for users' CI pipelines. */
describe('ops: check command', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  });

  async function check(args: string[], env: Record<string, string> = {}) {
    const run = runCli(['check', ...args], cleanEnv(env));
    const code = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  it('a good config: exit 0, summary on stdout, nothing started', async () => {
    const file = writeTempConfig(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: os.environ/CHECK_OPENAI_KEY }
  - model_name: openrouter/*
    litellm_params: { model: openrouter/*, api_key: os.environ/CHECK_OPENAI_KEY }
router_settings:
  model_group_alias: { gpt4: gpt-4o }
general_settings:
  master_key: os.environ/CHECK_MASTER_KEY
`);
    const r = await check(['--config', file], { CHECK_OPENAI_KEY: 'sk-x', CHECK_MASTER_KEY: 'sk-m' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`${file}: OK (2 model entries, 1 aliases; 0 error(s), 0 warning(s))`);
    expect(r.stdout).not.toContain('sk-x');
  });

  it('a bad config: exit 1 and every problem with its path', async () => {
    const file = writeTempConfig(`
model_list:
  - model_name: a
    litellm_params: { model: notaprovider/x, api_key: os.environ/CHECK_UNSET_KEY }
    model_info: { id: dup }
  - model_name: b
    litellm_params: { model: openai/gpt-4o }
    model_info: { id: dup }
  - model_name: c
    litellm_params: { model: azure/gpt-4o }
router_settings:
  model_group_alias: { x: y, y: x }
general_settings:
  master_key: os.environ/CHECK_UNSET_MASTER
`);
    const r = await check(['--config', file]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    const expected = [
      'error: model_list[0].litellm_params.api_key: environment variable CHECK_UNSET_KEY is not set',
      'error: general_settings.master_key: environment variable CHECK_UNSET_MASTER is not set',
      "error: model_list[0].litellm_params.model: unknown provider 'notaprovider'",
      "error: model_list[1].model_info.id: duplicate id 'dup'",
      'error: model_list[2].litellm_params.api_base: is required',
      // LiteLLM's default api_version is used, with a notice.
      'warning: model_list[2].litellm_params.api_version: not set; using 2025-02-01-preview',
      'error: router_settings.model_group_alias.x: alias cycle',
    ];
    for (const e of expected) expect(lines.some((l) => l.startsWith(e))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/INVALID \(\d+ error\(s\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('shape errors are all reported with their paths', async () => {
    const file = writeTempConfig(`
model_list:
  - litellm_params: { model: openai/gpt-4o }
  - model_name: ok
    litellm_params: { model: openai/gpt-4o, timeout: -1 }
`);
    const r = await check(['--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: model_list[0].model_name:');
    expect(r.stderr).toContain('error: model_list[1].litellm_params.timeout:');
  });

  it('shape errors do not hide provider, alias, duplicate-id and wildcard problems in the entries that parsed', async () => {
    // Entry [4] is not even a mapping: the paths after it must still be the file's own indexes.
    const file = writeTempConfig(`
model_list:
  - litellm_params: { model: openai/gpt-4o }
  - model_name: slow
    litellm_params: { model: openai/gpt-4o, timeout: -1 }
    model_info: { id: dup }
  - model_name: typo
    litellm_params: { model: opnai/gpt-4o }
  - model_name: openai/gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-inline }
  - just-a-string
  - model_name: openai/*
    litellm_params: { model: openai/*, api_key: sk-inline }
  - model_name: again
    litellm_params: { model: openai/gpt-4o-mini }
    model_info: { id: dup }
router_settings:
  routing_strategy: fastest
  model_group_alias: { x: y, y: x, z: nowhere, slow-alias: slow, bad: 5 }
`);
    const r = await check(['--config', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    const expected = [
      'error: model_list[0].model_name: is required',
      'error: model_list[1].litellm_params.timeout: must not be less than 0',
      'error: model_list[4]: must be a mapping',
      'error: router_settings.routing_strategy: must be one of',
      'error: router_settings.model_group_alias.bad: must be a model name',
      "error: model_list[2].litellm_params.model: unknown provider 'opnai'",
      "error: model_list[6].model_info.id: duplicate id 'dup' (also used by model_list[1])",
      'error: router_settings.model_group_alias.x: alias cycle: x -> y -> x',
      "error: router_settings.model_group_alias.z: alias target 'nowhere' is not a configured model_name or wildcard",
      "warning: model_list[3].model_name: 'openai/gpt-4o' also matches wildcard 'openai/*'",
    ];
    for (const e of expected) expect(lines.filter((l) => l.startsWith(e))).toHaveLength(1);
    // 'slow' was rejected for its timeout, but it is still a name: an alias to it is not a second error.
    expect(r.stderr).not.toContain('slow-alias');
    expect(lines[lines.length - 1]).toBe(`${file}: INVALID (9 error(s), 1 warning(s))`);
    expect(lines).toHaveLength(expected.length + 1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bedrock settings: a missing region and half an access key, each named by its path', async () => {
    const file = writeTempConfig(`
model_list:
  - model_name: a
    litellm_params: { model: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0, aws_access_key_id: AKIDEXAMPLE, aws_secret_access_key: os.environ/CHECK_AWS_SECRET }
  - model_name: b
    litellm_params: { model: bedrock/amazon.nova-pro-v1:0, aws_access_key_id: AKIDEXAMPLE, aws_region_name: eu-west-1 }
`);
    const r = await check(['--config', file], { CHECK_AWS_SECRET: 'check-secret-value' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: model_list[0].litellm_params.aws_region_name: is required for provider 'bedrock'");
    expect(r.stderr).toContain('error: model_list[1].litellm_params.aws_secret_access_key: is required when the other half of the AWS access key is set');
    expect(r.stderr + r.stdout).not.toContain('check-secret-value');
  });

  it('start-up refuses the same file: non-zero, one line per problem, no stack trace', async () => {
    const file = writeTempConfig(`
model_list:
  - litellm_params: { model: openai/gpt-4o }
  - model_name: slow
    litellm_params: { model: openai/gpt-4o, timeout: -1 }
`);
    const run = runCli(['--config', file, '--port', '0', '--host', '127.0.0.1'], cleanEnv());
    expect(await run.exited).toBe(1);
    expect(run.stderr().trim().split('\n')).toEqual([
      'switchboard: invalid config: model_list[0].model_name: is required',
      'switchboard: invalid config: model_list[1].litellm_params.timeout: must not be less than 0',
    ]);
  });

  it('invalid YAML: exit 1 naming the file as given (file:line:col) with the offending line', async () => {
    const cwd = brokenYamlDir();
    const run = runCli(['check', '--config', 'config/broken.yaml'], cleanEnv(), cwd);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/^error: config\/broken\.yaml:3:4: invalid YAML: /m);
    expect(run.stderr()).toContain('3 |    litellm_params: {}');
  });

  it('wildcard shadowing: an exact name hidden from a wildcard is a warning; --strict makes it fatal', async () => {
    const file = writeTempConfig(`
model_list:
  - model_name: openai/gpt-4o
    litellm_params: { model: openai/gpt-4o-2024-08-06, api_key: sk-inline }
  - model_name: openai/*
    litellm_params: { model: openai/*, api_key: sk-inline }
`);
    const r = await check(['--config', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("warning: model_list[0].model_name: 'openai/gpt-4o' also matches wildcard 'openai/*'");
    const strict = await check(['--config', file, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('INVALID');
  });

  it('--allow-missing-env turns unset variables into warnings (CI without production secrets)', async () => {
    const example = join(ROOT, 'config', 'example.yaml');
    const strict = await check(['--config', example]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('environment variable OPENAI_API_KEY is not set');
    const relaxed = await check(['--config', example, '--allow-missing-env']);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toContain('warning: model_list[0].litellm_params.api_key: environment variable OPENAI_API_KEY is not set');
    expect(relaxed.stdout).toContain('OK');
  });

  it('a missing file or no --config: non-zero with one clear line', async () => {
    const missing = await check(['--config', '/nonexistent/config.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read config file /nonexistent/config.yaml: file not found');
    const none = await check([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--config');
  });
});

/** A temp dir holding config/broken.yaml, whose line 3 is mis-indented. */
function brokenYamlDir(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'switchboard-yaml-'));
  mkdirSync(join(cwd, 'config'));
  writeFileSync(join(cwd, 'config', 'broken.yaml'), 'model_list:\n  - model_name: a\n   litellm_params: {}\n');
  return cwd;
}
