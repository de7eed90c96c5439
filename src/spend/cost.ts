import type { DeploymentTarget } from '../routing/routing-table.js';
import { bundledPrice, ModelPrice } from './price-table.js';

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** 'upstream' when the provider reported it; 'estimated' when the gateway counted; 'cache' for a response-cache hit (the original answer's tokens, charged nothing). */
  readonly source: 'upstream' | 'estimated' | 'cache';
}

/**
 * The price of one deployment: model_info.input_cost_per_token / output_cost_per_token when the
 * operator set them (either may be given alone), else the bundled table, else free (and the
 * spend log shows 0 — budgets then only count priced models).
 */
export function priceOf(target: Pick<DeploymentTarget, 'upstreamModel' | 'settings'>): ModelPrice | undefined {
  const info = target.settings.modelInfo;
  const input = costField(info.input_cost_per_token);
  const output = costField(info.output_cost_per_token);
  const bundled = bundledPrice(target.upstreamModel);
  if (input === undefined && output === undefined) return bundled;
  return { input: input ?? bundled?.input ?? 0, output: output ?? bundled?.output ?? 0 };
}

export function costOf(usage: Usage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return usage.promptTokens * price.input + usage.completionTokens * price.output;
}

function costField(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}
