import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { ANONYMOUS, Caller, MASTER } from './caller.js';

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Presented keys remembered with their hash: a client sends the same key on every request. */
const HASH_CACHE_SIZE = 1024;

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
  /**
   * Presented key → its SHA-256, so a busy client is not hashed on every request (≈2% of the
   * gateway's CPU in the bench profile). Only the hash is cached: every request still goes
   * through the constant-time comparison with the master key and the virtual-key lookup, so
   * revocations and master-key changes apply at once. Bounded; oldest entry evicted first.
   */
  private readonly hashes = new Map<string, Buffer>();

  constructor(private readonly registry: ConfigRegistryService) {
    this.refresh();
    registry.onChange(() => this.refresh());
    if (!this.masterHash) {
      this.logger.warn('general_settings.master_key is not set: inference routes are open to anyone, and the admin API is disabled');
    }
  }

  get authRequired(): boolean {
    return this.masterHash !== undefined;
  }

  /** Read per scrape, so POST /config/reload can turn it on or off. */
  get metricsRequireAuth(): boolean {
    return this.registry.config.general.metricsRequireAuth === true;
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
      const hash = this.hashOf(token);
      return this.asMaster(hash) ?? (await this.asVirtual(hash)) ?? ANONYMOUS;
    }
    if (!token) {
      throw new GatewayError(
        ErrorCode.Unauthorized,
        "Missing API key. Send it as 'Authorization: Bearer <key>' or in the 'x-api-key' header.",
      );
    }
    const hash = this.hashOf(token);
    const caller = this.asMaster(hash) ?? (await this.asVirtual(hash));
    if (caller) return caller;
    throw new GatewayError(ErrorCode.Unauthorized, 'Invalid API key.');
  }

  private hashOf(token: string): Buffer {
    let hash = this.hashes.get(token);
    if (hash) return hash;
    hash = hashKey(token);
    if (this.hashes.size >= HASH_CACHE_SIZE) this.hashes.delete(this.hashes.keys().next().value!);
    this.hashes.set(token, hash);
    return hash;
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
