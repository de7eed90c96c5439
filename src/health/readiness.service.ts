import { Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { AppLogger } from '../logging/app-logger.service.js';

/** Resolves when the dependency is usable; throws (or rejects) with the reason otherwise. */
export type ReadinessCheck = () => Promise<unknown> | unknown;

export interface ReadinessReport {
  readonly status: 'ok';
  readonly checks: Record<string, 'ok'>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * /health/readiness as a list of named checks. Modules that own a dependency register one
 * (`register('store', () => store.ping())`), so health never needs to know them. Readiness
 * also fails from the moment shutdown starts, so load balancers stop sending new traffic.
 */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;
  private lastFailures = '';

  constructor(private readonly logger: AppLogger) {}

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** All checks run in parallel, each bounded by a timeout; throws a 503 naming every failing part. */
  async assertReady(): Promise<ReadinessReport> {
    if (this.shuttingDown) {
      throw new GatewayError(ErrorCode.ShuttingDown, 'Not ready: the gateway is shutting down.', { retryAfterSeconds: 1 });
    }
    const entries = [...this.checks.entries()];
    const results = await Promise.all(entries.map(([name, check]) => runCheck(name, check)));
    const failed = results.filter((r) => r.error !== undefined);
    const signature = failed.map((f) => `${f.name}: ${f.error}`).join('; ');
    if (signature !== this.lastFailures) {
      // Probes run every few seconds: log transitions, not every probe.
      if (signature) this.logger.pino.warn({ context: 'Readiness', failing: failed.map((f) => ({ check: f.name, reason: f.error })) }, 'not ready');
      else this.logger.pino.info({ context: 'Readiness' }, 'ready');
      this.lastFailures = signature;
    }
    if (failed.length > 0) {
      // Reasons go to the log only: the probe is unauthenticated and errors can name internal hosts.
      const names = failed.map((f) => f.name);
      throw new GatewayError(ErrorCode.NotReady, `Not ready: ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} failing.`, {
        param: names.join(','),
      });
    }
    const checks: Record<string, 'ok'> = {};
    for (const r of results) checks[r.name] = 'ok';
    return { status: 'ok', checks };
  }
}

async function runCheck(name: string, check: ReadinessCheck): Promise<{ name: string; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const result = await Promise.race([Promise.resolve().then(check), timeout]);
    if (result === false) return { name, error: 'check returned false' };
    return { name };
  } catch (err) {
    return { name, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
