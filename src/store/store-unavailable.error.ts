/**
 * The store could not be reached (or refused us) at start-up. main.ts prints its message as one
 * line, never a stack: the message already names the store (password masked) and the cause.
 */
export class StoreUnavailableError extends Error {}

/** Codes that mean "not reachable yet": worth retrying while a database comes up. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', '57P03']);

export function isTransientConnectError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && TRANSIENT.has(code)) return true;
  // pg reports a server that closed the connection during start-up without a code.
  return err instanceof Error && /Connection terminated|timeout expired/i.test(err.message);
}

export function describeConnectError(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
