import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { ChatController } from '../chat/chat.controller.js';
import type { GatewayRequest } from '../common/request-context.js';
import { EmbeddingsController } from '../embeddings/embeddings.controller.js';
import { MessagesController } from '../messages/messages.controller.js';
import { ResponsesController } from '../responses/responses.controller.js';
import { SpendWriterService } from '../spend/spend-writer.service.js';
import { UsageMeter } from '../spend/usage-meter.js';
import { LimitsService } from './limits.service.js';

/** The endpoints that call a model: the only ones that count against limits and spend. */
const INFERENCE = new Set<unknown>([ChatController, ResponsesController, MessagesController, EmbeddingsController]);

/**
 * Runs after the AuthGuard on inference routes: a virtual key's budget and limits are checked
 * before the body is even validated, and every request gets a usage meter the endpoint service
 * charges. A parallel-request slot is held until the response closes — finished, failed, or
 * abandoned by the client mid-stream.
 */
@Injectable()
export class KeyLimitsInterceptor implements NestInterceptor {
  constructor(
    private readonly limits: LimitsService,
    private readonly spend: SpendWriterService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !INFERENCE.has(context.getClass())) return next.handle();
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    const res = context.switchToHttp().getResponse<Response>();
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
    if (!token) return next.handle();
    return from(this.limits.admitKey(token)).pipe(
      switchMap(({ lease, headers }) => {
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        if (lease) {
          if (res.closed) lease.release();
          else res.once('close', () => lease.release());
        }
        return next.handle();
      }),
    );
  }
}
