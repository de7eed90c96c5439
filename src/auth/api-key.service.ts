import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ANONYMOUS, Caller, MASTER } from './caller.js';

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Turns a presented key into a Caller. Keys are compared as hashes, in constant time. */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger('Auth');
  private masterHash?: Buffer;

  constructor(private readonly registry: ConfigRegistryService) {
    this.refresh();
    registry.onChange(() => this.refresh());
    if (!this.masterHash) {
      this.logger.warn('general_settings.master_key is not set: every route, including the admin API, is open');
    }
  }

  get authRequired(): boolean {
    return this.masterHash !== undefined;
  }

  /** Resolves a key to a caller; throws Unauthorized for a missing or unknown key. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!this.masterHash) return token ? this.asMaster(token) ?? ANONYMOUS : ANONYMOUS;
    if (!token) {
      throw new GatewayError(
        ErrorCode.Unauthorized,
        "Missing API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header.",
      );
    }
    const master = this.asMaster(token);
    if (master) return master;
    throw new GatewayError(ErrorCode.Unauthorized, 'Invalid API key.');
  }

  private asMaster(token: string): Caller | undefined {
    if (!this.masterHash) return undefined;
    return timingSafeEqual(hashKey(token), this.masterHash) ? MASTER : undefined;
  }

  private refresh(): void {
    const key = this.registry.config.general.masterKey;
    this.masterHash = key ? hashKey(key) : undefined;
  }
}
