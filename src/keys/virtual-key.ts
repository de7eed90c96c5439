/** A virtual key as the gateway works with it. The key itself is never here: only its hash (`token`). */
export interface VirtualKey {
  /** SHA-256 hex of the key: the id used by /key/* and in spend logs. */
  readonly token: string;
  /** Masked form for admin output, e.g. `sk-...a1b2`. */
  readonly keyName: string;
  readonly keyAlias?: string;
  /** Allowed model names / patterns; empty = every model. */
  readonly models: readonly string[];
  readonly maxBudget?: number;
  readonly budgetDuration?: string;
  /** ISO instant at which `spend` goes back to 0 (when budget_duration is set). */
  readonly budgetResetAt?: string;
  /** Spend (USD) in the current budget period, as stored. */
  readonly spend: number;
  /** Lifetime spend (USD), as stored. */
  readonly totalSpend: number;
  readonly rpmLimit?: number;
  readonly tpmLimit?: number;
  readonly maxParallelRequests?: number;
  /** ISO instant after which the key is refused. */
  readonly expires?: string;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** LiteLLM's way of saying "every model" in a key's model list. */
export const ALL_MODELS = 'all-proxy-models';
