import { KNOWN_KEYS, OTHER_LITELLM_KEYS } from './config.schema.js';
import { editDistance, suggestKey } from './key-suggestion.js';
import { parseConfigText } from './config-loader.js';
import { ConfigError } from './config-error.js';

describe('key suggestions for typo\'d config keys', () => {
  it.each([
    ['api_bsae', 'api_base', 1],
    ['api_baes', 'api_base', 1],
    ['organisation', 'organization', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3],
  ])('editDistance(%s, %s) = %d', (a, b, n) => expect(editDistance(a, b)).toBe(n));

  const params = KNOWN_KEYS['model_list[].litellm_params'];
  it.each([
    ['api_bsae', 'api_base'],
    ['apibase', 'api_base'],
    ['api_verison', 'api_version'],
    ['organisation', 'organization'],
    ['extra_header', 'extra_headers'],
    ['API_BASE', 'api_base'],
  ])('%s → did you mean %s', (typo, key) => expect(suggestKey(typo, params, OTHER_LITELLM_KEYS['model_list[].litellm_params'])).toBe(key));

  // Real LiteLLM litellm_params keys Switchboard does not read must stay plain warnings.
  it.each([['top_k'], ['top_p'], ['max_tokens'], ['seed'], ['region_name'], ['api_type'], ['input_cost_per_token'], ['tags'], ['base_model'], ['mock_response']])(
    '%s is not a typo', (key) => expect(suggestKey(key, params, OTHER_LITELLM_KEYS['model_list[].litellm_params'])).toBeUndefined(),
  );

  it('the loader refuses a near miss with the path and the suggestion, and only warns for other unknown keys', () => {
    const yaml = `model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_bsae: "http://h/v1", base_model: p }
router_settings: { num_retires: 2 }
`;
    let err: ConfigError | undefined;
    try {
      parseConfigText(yaml, {});
    } catch (e) {
      err = e as ConfigError;
    }
    expect([...(err?.issues ?? [])].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'model_list[0].litellm_params.api_bsae', message: "unknown key; did you mean 'api_base'?" },
      { path: 'router_settings.num_retires', message: "unknown key; did you mean 'num_retries'?" },
    ]);
    const ok = parseConfigText(yaml.replace('api_bsae', 'api_base').replace('num_retires', 'num_retries'), {});
    expect(ok.warnings).toContain('model_list[0].litellm_params.base_model: unknown key, ignored');
  });
});
