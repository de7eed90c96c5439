/**
 * LiteLLM-style durations for key `duration` and `budget_duration`: a positive integer and a
 * unit — `30s`, `15m`, `1h`, `30d`, `2w`, `1mo` (calendar month). Returns undefined when the
 * text is not a duration, so callers can name the offending field.
 */
const DURATION = /^(\d{1,6})\s*(s|m|h|d|w|mo)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function isDuration(text: string): boolean {
  const m = DURATION.exec(text.trim());
  return !!m && Number(m[1]) > 0;
}

/** The instant `text` after `from`, or undefined when `text` is not a valid duration. */
export function addDuration(from: Date, text: string): Date | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  if (m[2] === 'mo') {
    const d = new Date(from.getTime());
    d.setUTCMonth(d.getUTCMonth() + n);
    return d;
  }
  return new Date(from.getTime() + n * UNIT_MS[m[2]]);
}
