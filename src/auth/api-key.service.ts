import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ANONYMOUS, Caller, MASTER } from './caller.js';

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * Resolves a virtual key, given the SHA-256 hex of the presented key, from memory (the keys
 * module registers it). Undefined for an unknown key; may throw Unauthorized (expired key).
 */
export type VirtualKeyLookup = (tokenHash: string) => Promise<Caller | undefined> | Caller | undefined;

/** Turns a presented key into a Caller. Keys are compared as hashes, in constant time. */
@Injectable()
export class ApiKeyService {
  private readonly logger = new Logger('Auth');
  private masterHash?: Buffer;
  private virtualKeys?: VirtualKeyLookup;

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

  /** Virtual keys (keys module): looked up by hash after the master key. */
  setVirtualKeyLookup(lookup: VirtualKeyLookup): void {
    this.virtualKeys = lookup;
  }

  /** Resolves a key to a caller; throws Unauthorized for a missing or unknown key. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!this.masterHash) {
      // An open gateway: a virtual key still selects its own model list and limits.
      if (!token) return ANONYMOUS;
      const hash = hashKey(token);
      return this.asMaster(hash) ?? (await this.asVirtual(hash)) ?? ANONYMOUS;
    }
    if (!token) {
      throw new GatewayError(
        ErrorCode.Unauthorized,
        "Missing API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header.",
      );
    }
    const hash = hashKey(token);
    const caller = this.asMaster(hash) ?? (await this.asVirtual(hash));
    if (caller) return caller;
    throw new GatewayError(ErrorCode.Unauthorized, 'Invalid API key.');
  }

  private asMaster(hash: Buffer): Caller | undefined {
    if (!this.masterHash) return undefined;
    return timingSafeEqual(hash, this.masterHash) ? MASTER : undefined;
  }

  private async asVirtual(hash: Buffer): Promise<Caller | undefined> {
    return this.virtualKeys ? await this.virtualKeys(hash.toString('hex')) : undefined;
  }

  private refresh(): void {
    const key = this.registry.config.general.masterKey;
    this.masterHash = key ? hashKey(key) : undefined;
  }
}
