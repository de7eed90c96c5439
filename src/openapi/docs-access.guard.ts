import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyService } from '../auth/api-key.service.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';

/** The browser's login prompt for /docs: a page load cannot send a Bearer header. */
const BASIC_CHALLENGE = 'Basic realm="Switchboard API docs", charset="UTF-8"';

/**
 * /openapi.json and /docs: the master key, as Bearer, x-api-key, or (for a browser) HTTP Basic
 * with the key as password; open to anyone with general_settings.public_docs. The document lists
 * every admin route, so it stays with the operator by default. Read per request so a config
 * reload can open or close it.
 */
@Injectable()
export class DocsAccessGuard implements CanActivate {
  constructor(
    private readonly registry: ConfigRegistryService,
    private readonly keys: ApiKeyService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.registry.config.general.publicDocs === true) return true;
    if (!this.keys.authRequired) {
      throw new GatewayError(
        ErrorCode.Forbidden,
        'API docs disabled: set general_settings.master_key to read them with it, or general_settings.public_docs: true to publish them.',
      );
    }
    const req = context.switchToHttp().getRequest<Request>();
    // Only the HTML page and its assets ask for Basic: a script fetching the JSON gets a plain 401.
    const challenge = req.path.endsWith('/openapi.json') ? undefined : { 'www-authenticate': BASIC_CHALLENGE };
    let caller;
    try {
      caller = await this.keys.authenticate(presentedKey(req));
    } catch (err) {
      if (err instanceof GatewayError && err.code === ErrorCode.Unauthorized && challenge) {
        throw new GatewayError(ErrorCode.Unauthorized, err.message, { headers: challenge });
      }
      throw err;
    }
    if (caller.kind !== 'master') throw new GatewayError(ErrorCode.Forbidden, 'The API docs need the master key.');
    return true;
  }
}

/** As the admin API reads it (Bearer, x-api-key, api-key), plus the password of HTTP Basic (any user name). */
export function presentedKey(req: Pick<Request, 'headers'>): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.trim().length > 0) {
    const [scheme, ...rest] = auth.trim().split(/\s+/);
    const value = rest.join(' ');
    if (/^basic$/i.test(scheme)) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon < 0 ? undefined : decoded.slice(colon + 1) || undefined;
    }
    if (/^bearer$/i.test(scheme)) return value || undefined;
    return auth.trim();
  }
  for (const name of ['x-api-key', 'api-key']) {
    const header = req.headers[name];
    if (typeof header === 'string' && header.length > 0) return header.trim();
  }
  return undefined;
}
