import type { Rng } from './random.js';

export interface BackoffSettings {
  /** Delay before the first retry of a deployment already tried (router_settings.retry_after). */
  readonly baseMs: number;
  /** No single wait grows beyond this. */
  readonly capMs: number;
}

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random.
 * The fixed half keeps a retry storm from collapsing back onto the upstream immediately; the
 * random half de-synchronises gateway replicas that failed at the same moment.
 */
export function backoffDelayMs(retryIndex: number, settings: BackoffSettings, rng: Rng): number {
  if (settings.baseMs <= 0) return 0;
  const step = Math.min(settings.capMs, settings.baseMs * 2 ** Math.max(0, retryIndex));
  return step / 2 + rng() * (step / 2);
}

/** Resolves after ms, or rejects at once when the signal aborts (the client went away). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
