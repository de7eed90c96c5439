import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import type { UpstreamCallContext } from '../providers/provider-adapter.js';
import type { Resolution } from './model-resolution.service.js';
import type { DeploymentTarget } from './routing-table.js';

/** A deployment chosen for one attempt, carrying the name the client sent. */
export interface ResolvedTarget extends DeploymentTarget {
  readonly requestedName: string;
}

export interface ExecuteOptions {
  readonly requestId: string;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  readonly stream: boolean;
}

export interface Executed<T> {
  readonly result: T;
  readonly target: ResolvedTarget;
  readonly attempts: number;
}

export type Attempt<T> = (target: ResolvedTarget, ctx: UpstreamCallContext) => Promise<T>;

const DEFAULT_STREAM_IDLE_MS = 120_000;

/**
 * Picks a deployment of the resolved group and runs one upstream call on it, retrying
 * retryable failures on another deployment when the group has one.
 */
@Injectable()
export class RouterService {
  private readonly logger = new Logger('Router');

  constructor(private readonly registry: ConfigRegistryService) {}

  async execute<T>(resolution: Resolution, attempt: Attempt<T>, options: ExecuteOptions): Promise<Executed<T>> {
    const settings = this.registry.config.router;
    const order = shuffle(resolution.candidates);
    const maxAttempts = 1 + (order[0]?.settings.maxRetries ?? settings.numRetries);
    let lastError: unknown;
    for (let i = 0; i < maxAttempts; i++) {
      const deployment = order[i % order.length];
      const target: ResolvedTarget = { ...deployment, requestedName: resolution.requestedName };
      const ctx: UpstreamCallContext = {
        signal: options.signal,
        requestId: options.requestId,
        timeoutMs: deployment.settings.timeoutMs ?? settings.timeoutMs,
        streamIdleTimeoutMs: deployment.settings.streamTimeoutMs ?? settings.streamTimeoutMs ?? DEFAULT_STREAM_IDLE_MS,
      };
      try {
        return { result: await attempt(target, ctx), target, attempts: i + 1 };
      } catch (err) {
        lastError = err;
        if (options.signal.aborted || !isRetryable(err) || i === maxAttempts - 1) break;
        this.logger.warn(`request ${options.requestId}: deployment ${deployment.deploymentId} failed (${(err as Error).message}); retrying`);
      }
    }
    throw lastError;
  }
}

export function isRetryable(err: unknown): boolean {
  if (!(err instanceof GatewayError)) return false;
  switch (err.code) {
    case ErrorCode.UpstreamError:
    case ErrorCode.UpstreamTimeout:
      return true;
    case ErrorCode.UpstreamRejected:
      return err.upstreamStatus === 429 || err.upstreamStatus === 408;
    default:
      return false;
  }
}

function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
