import { mapError } from '../common/error-mapping.js';
import { parseConfigText } from '../config/config-loader.js';
import { RoutingTable } from '../routing/routing-table.js';
import type { DeploymentTarget } from '../routing/routing-table.js';
import { defaultApiKey, keyFor } from './default-api-keys.js';

function target(params: string, env: NodeJS.ProcessEnv = {}): DeploymentTarget {
  const table = RoutingTable.compile(parseConfigText(`model_list:\n  - model_name: m\n    litellm_params: ${params}\n`, env).config);
  return table.groupTargets('m')![0];
}

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${mapError(err).status} ${mapError(err).body.error.message}`;
  }
  throw new Error('expected a failure');
}

describe('default provider keys from the environment (LiteLLM fallbacks)', () => {
  it('reads COHERE_API_KEY, then CO_API_KEY, and VOYAGE_API_KEY', () => {
    expect(defaultApiKey('cohere', { COHERE_API_KEY: 'a', CO_API_KEY: 'b' })).toBe('a');
    expect(defaultApiKey('cohere_chat', { CO_API_KEY: 'b' })).toBe('b');
    expect(defaultApiKey('voyage', { VOYAGE_API_KEY: 'v' })).toBe('v');
    expect(defaultApiKey('openai', { COHERE_API_KEY: 'a' })).toBeUndefined();
  });

  it("the deployment's own key wins", () => {
    expect(keyFor(target('{ model: cohere/command-r, api_key: own }'), 'env-key')).toBe('own');
  });

  it('with no api_key, the environment key goes to the provider default host', () => {
    expect(keyFor(target('{ model: cohere/command-r }'), 'env-key')).toBe('env-key');
  });

  it('never to an api_base the config names: that deployment has no key', () => {
    expect(failure(() => keyFor(target('{ model: cohere/command-r, api_base: "https://proxy.example.com" }'), 'env-key'))).toMatch(/^502 .*no api_key is configured/);
  });

  it('an api_key naming an unset variable fails as such, not with the default key', () => {
    expect(failure(() => keyFor(target('{ model: voyage/voyage-3, api_key: os.environ/MY_VOYAGE_KEY }'), 'env-key'))).toMatch(/MY_VOYAGE_KEY is not set/);
  });

  it('no key anywhere: the deployment is misconfigured, said plainly', () => {
    expect(failure(() => keyFor(target('{ model: cohere/command-r }'), undefined))).toMatch(/^502 .*no api_key is configured/);
  });
});
