import { randomBytes } from 'node:crypto';

/**
 * Where bridged responses get their ids. Injected so golden tests can pin ids; production uses
 * random ones shaped like OpenAI's (`resp_…`, `rs_…`, `msg_…`, `fc_…`, `call_…`).
 */
export interface IdSource {
  next(prefix: 'resp' | 'rs' | 'msg' | 'fc' | 'call'): string;
}

export const randomIds: IdSource = {
  next: (prefix) => `${prefix}_${randomBytes(24).toString('hex')}`,
};

/** Deterministic ids (`msg_1`, `fc_2`, …) for tests. */
export function sequentialIds(): IdSource {
  let n = 0;
  return { next: (prefix) => `${prefix}_${++n}` };
}
