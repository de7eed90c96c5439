import { costOf, priceOf } from './cost.js';
import { bundledPrice } from './price-table.js';

const target = (upstreamModel: string, modelInfo: Record<string, unknown> = {}) => ({ upstreamModel, settings: { modelInfo } }) as never;

describe('prices', () => {
  it('finds families by longest prefix, ignoring provider routing prefixes and snapshots', () => {
    expect(bundledPrice('gpt-4o-mini-2024-07-18')).toEqual(bundledPrice('gpt-4o-mini'));
    expect(bundledPrice('gpt-4o-2024-08-06')).toEqual(bundledPrice('gpt-4o'));
    expect(bundledPrice('openai/gpt-4o')).toEqual(bundledPrice('gpt-4o'));
    expect(bundledPrice('gpt-4.1-mini')).not.toEqual(bundledPrice('gpt-4'));
    expect(bundledPrice('claude-3-5-sonnet-20241022')?.input).toBeCloseTo(3e-6, 12);
    expect(bundledPrice('gpt-4ox')).toBeUndefined();
    expect(bundledPrice('my-private-model')).toBeUndefined();
  });

  it('prefers model_info prices, field by field', () => {
    expect(priceOf(target('gpt-4o', { input_cost_per_token: 1, output_cost_per_token: 2 }))).toEqual({ input: 1, output: 2 });
    expect(priceOf(target('gpt-4o', { output_cost_per_token: 2 }))).toEqual({ input: 2.5e-6, output: 2 });
    expect(priceOf(target('unknown', { input_cost_per_token: '0.5' }))).toEqual({ input: 0.5, output: 0 });
    expect(priceOf(target('unknown'))).toBeUndefined();
  });

  it('multiplies tokens by prices', () => {
    const usage = { promptTokens: 1000, completionTokens: 500, source: 'upstream' as const };
    expect(costOf(usage, { input: 2e-6, output: 1e-5 })).toBeCloseTo(0.007, 12);
    expect(costOf(usage, undefined)).toBe(0);
  });
});
