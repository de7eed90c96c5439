import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import type { GatewayRequest } from '../common/request-context.js';
import type { Response } from 'express';
import { KeyAdmissionService } from '../limits/key-admission.service.js';
import { Access, ACCESS_KEY, INFERENCE_KEY } from './auth.decorators.js';
import { ApiKeyService } from './api-key.service.js';

/**
 * Global guard: every route needs a key unless marked @Public(); @AdminOnly() needs the master key,
 * and is disabled when none is configured. On @Inference() controllers an authenticated request is
 * then admitted against its key's budget and limits. @MetricsAccess() is public unless the config asks for
 * the master key (general_settings.metrics_require_auth).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly admission: KeyAdmissionService,
  ) {}

  /** Route metadata never changes after start-up: read it once per handler, not per request. */
  private readonly accessByHandler = new WeakMap<object, { cls: object; access: Access | undefined; inference: boolean }>();

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const handler = context.getHandler();
    const cls = context.getClass();
    let known = this.accessByHandler.get(handler);
    if (!known || known.cls !== cls) {
      known = {
        cls,
        access: this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [handler, cls]),
        inference: this.reflector.getAllAndOverride<boolean | undefined>(INFERENCE_KEY, [handler, cls]) === true,
      };
      this.accessByHandler.set(handler, known);
    }
    let access = known.access;
    if (access === 'metrics') {
      if (!this.keys.metricsRequireAuth) return true;
      access = 'admin';
    }
    if (access === 'public') return true;
    if (access === 'admin' && !this.keys.authRequired) {
      // Without a master key nobody can prove to be the operator, and an open admin API would let
      // anyone who reaches the port add models, mint keys or read spend: it is off instead.
      throw new GatewayError(
        ErrorCode.Forbidden,
        'admin API disabled: set general_settings.master_key to use the admin routes (inference routes stay open without it).',
      );
    }
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    const caller = await this.keys.authenticate(presentedKey(req));
    if (access === 'admin' && caller.kind !== 'master') {
      throw new GatewayError(ErrorCode.Forbidden, 'This route needs the master key.');
    }
    req.caller = caller;
    if (known.inference) await this.admission.admit(req, context.switchToHttp().getResponse<Response>());
    return true;
  }
}

function presentedKey(req: GatewayRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.length > 0) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return match ? match[1].trim() : auth.trim();
  }
  for (const header of ['x-api-key', 'api-key']) {
    const value = req.headers[header];
    if (typeof value === 'string' && value.length > 0) return value.trim();
  }
  return undefined;
}
