import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Lines are written in batches of this many bytes, or after FLUSH_INTERVAL_MS at the latest. */
const BUFFER_BYTES = 4096;
const FLUSH_INTERVAL_MS = 250;

/**
 * One pino instance per app: JSON lines, ISO timestamps, level names instead of numbers.
 * stdout is written asynchronously and in batches (one write syscall per request line was
 * measurable in the benchmark profile); a timer bounds how long a line can wait, and the
 * shutdown path flushes before exit.
 */
export function createPinoLogger(level = 'info', destination?: DestinationStream): Logger {
  let dest = destination;
  if (!dest) {
    const stdout = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
    setInterval(() => stdout.flush(), FLUSH_INTERVAL_MS).unref();
    dest = stdout;
  }
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}
