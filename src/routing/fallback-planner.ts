import type { RouterSettings } from '../config/config.types.js';
import type { FailureClass } from './failure-classifier.js';
import type { Resolution } from './model-resolution.service.js';

/**
 * The names to try, in order, after a group has failed. Fallbacks are keyed by any name the
 * request went through — the name the client sent, each alias followed, then the resolved
 * group (a model_name or wildcard pattern) — and the most specific key that has an entry wins.
 * Names are returned unresolved: the router resolves each through ModelResolutionService.
 */
export function planFallbacks(
  settings: RouterSettings,
  resolution: Pick<Resolution, 'requestedName' | 'aliasChain' | 'group'>,
  failure: FailureClass,
): string[] {
  const keys = [resolution.requestedName, ...resolution.aliasChain, resolution.group];
  if (failure === 'context_window') return lookup(settings.contextWindowFallbacks, keys) ?? [];
  // A refusal goes only where the operator said refusals may go: a general fallback could be a
  // model with laxer rules, and that must be chosen, not stumbled into.
  if (failure === 'content_policy') return lookup(settings.contentPolicyFallbacks ?? {}, keys) ?? [];
  if (!triggersFallback(failure)) return [];
  // LiteLLM configs write catch-all fallbacks as `{"*": [...]}` (its default_fallbacks become one).
  return lookup(settings.fallbacks, [...keys, '*']) ?? [...settings.defaultFallbacks];
}

/** A request that is itself wrong (400/422) fails the same way on any model: no fallback. */
export function triggersFallback(failure: FailureClass): boolean {
  return (
    failure === 'timeout' ||
    failure === 'rate_limit' ||
    failure === 'server' ||
    failure === 'connection' ||
    failure === 'no_healthy' ||
    failure === 'deployment_rejected'
  );
}

function lookup(table: Readonly<Record<string, readonly string[]>>, keys: readonly string[]): string[] | undefined {
  for (const k of keys) {
    const list = table[k];
    if (list && list.length) return [...list];
  }
  return undefined;
}
