import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { GatewayRequest } from '../common/request-context.js';
import { SpendWriterService } from '../spend/spend-writer.service.js';
import { UsageMeter } from '../spend/usage-meter.js';
import { LimitsService } from './limits.service.js';

/**
 * Admission of an inference request, right after authentication: a virtual key's budget and
 * limits are checked before the body is even validated, and every request gets the usage meter
 * the endpoint service charges. A parallel-request slot is held until the response closes —
 * finished, failed, or abandoned by the client mid-stream.
 *
 * Called by the AuthGuard rather than run as a Nest interceptor: any global interceptor makes
 * Nest wrap every route handler in an rxjs pipeline, which was ~10% of the bytes allocated per
 * request (BENCHMARKS.md, issue 15).
 */
@Injectable()
export class KeyAdmissionService {
  constructor(
    private readonly limits: LimitsService,
    private readonly spend: SpendWriterService,
  ) {}

  async admit(req: GatewayRequest, res: Response): Promise<void> {
    const token = req.caller?.kind === 'virtual' ? req.caller.keyId : undefined;
    req.usageMeter = new UsageMeter(
      {
        record: (r) => this.spend.record(r),
        tokensUsed: (n, target) => this.limits.tokensUsed(token, target, n),
        usageSeen: (u) => {
          if (req.telemetry && !req.telemetry.usage) {
            req.telemetry.usage = { prompt: u.promptTokens, completion: u.completionTokens, total: u.promptTokens + u.completionTokens };
          }
        },
      },
      req.requestId ?? '-',
      token,
      req.body,
    );
    if (!token) return;
    const { lease, headers } = await this.limits.admitKey(token);
    for (const name in headers) res.setHeader(name, headers[name]);
    if (lease) {
      if (res.closed) lease.release();
      else res.once('close', () => lease.release());
    }
  }
}
