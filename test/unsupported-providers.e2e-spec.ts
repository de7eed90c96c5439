import { existsSync } from 'node:fs';
import { cleanEnv, freePort, MAIN, runCli, writeTempConfig } from './helpers/cli.js';

/**
 * A LiteLLM config naming providers Switchboard does not have: `check` and start-up (which run
 * the same validation) both print ONE message listing every such provider with its entries,
 * while typos and other mistakes keep their own per-entry lines.
 */
describe('unsupported LiteLLM providers: one list, from check and from start-up', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  });

  const yaml = `
model_list:
  - model_name: ok
    litellm_params: { model: openai/gpt-4o, api_key: sk-x }
  - model_name: sm
    litellm_params: { model: sagemaker/jumpstart-dft-meta-textgeneration-llama-2-7b, aws_region_name: us-west-2 }
  - model_name: rep
    litellm_params: { model: replicate/meta/llama-2-70b-chat }
  - model_name: sm2
    litellm_params: { model: sagemaker/other-endpoint }
  - model_name: hf
    litellm_params: { model: huggingface/bigcode/starcoder }
  - model_name: typo
    litellm_params: { model: opnai/gpt-4o }
  - model_name: cf
    litellm_params: { model: '@cf/meta/llama', custom_llm_provider: cloudflare }
`;
  const LIST = "unsupported providers: sagemaker (model_list[1], model_list[3]), replicate (model_list[2]), huggingface (model_list[4]), cloudflare (model_list[6]) — see README 'Moving from LiteLLM'";

  it('check: exit 1, the one list, and the typo on its own line', async () => {
    const run = runCli(['check', '--config', writeTempConfig(yaml)], cleanEnv());
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toContain(`error: ${LIST}`);
    expect(lines.filter((l) => l.includes('unsupported providers')).length).toBe(1);
    expect(lines.some((l) => l.startsWith("error: model_list[5].litellm_params.model: unknown provider 'opnai'"))).toBe(true);
    // Nothing else about the unsupported entries: one message, not one per entry.
    expect(lines.some((l) => /model_list\[(1|2|3|4|6)\]\.litellm_params/.test(l) && l.startsWith('error'))).toBe(false);
  });

  it('start-up: exit 1 with the same list in the same run, no stack trace', async () => {
    const run = runCli(['--config', writeTempConfig(yaml), '--port', String(await freePort()), '--host', '127.0.0.1'], cleanEnv());
    expect(await run.exited).toBe(1);
    const err = run.stderr();
    expect(err).toContain(`switchboard: invalid config: ${LIST}`);
    expect(err).toContain("switchboard: invalid config: model_list[5].litellm_params.model: unknown provider 'opnai'");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('an unprefixed id of no known family is asked for a prefix on its own line, beside the list', async () => {
    const run = runCli(['check', '--config', writeTempConfig('model_list:\n  - model_name: c\n    litellm_params: { model: j2-ultra }\n  - model_name: r\n    litellm_params: { model: replicate/x }\n')], cleanEnv());
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toContain("error: unsupported providers: replicate (model_list[1])");
    expect(run.stderr()).toContain("model_list[0].litellm_params.model: 'j2-ultra' has no provider prefix");
  });
});
