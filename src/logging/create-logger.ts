import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/**
 * One pino instance per app: JSON lines, ISO timestamps, level names instead of numbers.
 * stdout is written asynchronously (sonic-boom) so logging never blocks a request; the
 * shutdown path flushes it before exit.
 */
export function createPinoLogger(level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'switchboard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
