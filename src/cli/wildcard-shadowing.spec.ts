import { parseConfigText } from '../config/config-loader.js';
import { RoutingTable } from '../routing/routing-table.js';
import { checkConfigText } from './check-command.js';
import { findWildcardShadowing } from './wildcard-shadowing.js';

describe('findWildcardShadowing', () => {
  const table = (yaml: string) => RoutingTable.compile(parseConfigText(yaml, {}).config);

  it('reports exact names and aliases that a wildcard would also match', () => {
    const t = table(`
model_list:
  - model_name: openai/gpt-4o
    litellm_params: { model: azure/gpt-4o, api_base: https://x.openai.azure.com, api_version: '2024-10-21' }
  - model_name: openai/*
    litellm_params: { model: openai/* }
  - model_name: other
    litellm_params: { model: openai/o3 }
router_settings:
  model_group_alias: { openai/legacy: other }
`);
    const found = findWildcardShadowing(t);
    expect(found.overridden).toEqual([
      { name: 'openai/gpt-4o', by: 'openai/*' },
      { name: 'openai/legacy', by: 'openai/*' },
    ]);
  });

  it('finds nothing when wildcards and names are disjoint', () => {
    const t = table(`
model_list:
  - model_name: mymodel
    litellm_params: { model: openai/gpt-4o }
  - model_name: openrouter/*
    litellm_params: { model: openrouter/* }
  - model_name: groq/*
    litellm_params: { model: groq/* }
`);
    expect(findWildcardShadowing(t)).toEqual({ overridden: [] });
  });

  // The only way to write a pattern that another one always wins over is adjacent stars, which
  // the loader rejects; `check` reports that entry once, not again as a shadowed wildcard.
  it('a pattern another would always win over (adjacent stars) is one error in check, not two', () => {
    const report = checkConfigText(
      `
model_list:
  - model_name: openai/**
    litellm_params: { model: openai/* }
  - model_name: openai/*
    litellm_params: { model: openai/* }
`,
      {},
    );
    expect(report.errors).toEqual([{ path: 'model_list[0].model_name', message: "adjacent '*' wildcards are ambiguous" }]);
  });
});
