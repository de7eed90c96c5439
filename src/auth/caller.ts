/** Who is making a request, as established by the AuthGuard. */
export interface Caller {
  readonly kind: 'master' | 'virtual' | 'anonymous';
  /** Virtual key id (hash prefix), never the key itself. */
  readonly keyId?: string;
  /** The virtual key's key_alias, for traces and logs; never secret. */
  readonly keyAlias?: string;
  /**
   * Model names this caller may use; empty or absent means all. A request is allowed when
   * the name the client sent, or the group it resolved to, is listed (wildcard patterns in
   * the list match too).
   */
  readonly allowedModels?: readonly string[];
}

export const ANONYMOUS: Caller = { kind: 'anonymous' };
export const MASTER: Caller = { kind: 'master' };
