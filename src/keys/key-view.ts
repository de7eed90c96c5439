import type { VirtualKey } from './virtual-key.js';

/** A key as admin endpoints show it: the token (hash) and a masked name, never the key. */
export interface KeyView {
  token: string;
  key_name: string;
  key_alias: string | null;
  models: string[];
  max_budget: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  /** Spend in the current budget period, including spend not yet written to the store. */
  spend: number;
  total_spend: number;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  expires: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export function renderKey(k: VirtualKey, spend = k.spend, totalSpend = k.totalSpend): KeyView {
  return {
    token: k.token,
    key_name: k.keyName,
    key_alias: k.keyAlias ?? null,
    models: [...k.models],
    max_budget: k.maxBudget ?? null,
    budget_duration: k.budgetDuration ?? null,
    budget_reset_at: k.budgetResetAt ?? null,
    spend: roundUsd(spend),
    total_spend: roundUsd(totalSpend),
    rpm_limit: k.rpmLimit ?? null,
    tpm_limit: k.tpmLimit ?? null,
    max_parallel_requests: k.maxParallelRequests ?? null,
    expires: k.expires ?? null,
    metadata: { ...k.metadata },
    created_at: k.createdAt,
    updated_at: k.updatedAt,
  };
}

/** Float sums drift in the 1e-17 range; twelve decimals keep micro-dollar prices exact enough. */
export function roundUsd(v: number): number {
  return Math.round(v * 1e12) / 1e12;
}

/** `sk-...a1b2`: enough to tell keys apart in a list, useless to an attacker. */
export function maskKey(key: string): string {
  return `sk-...${key.slice(-4)}`;
}
