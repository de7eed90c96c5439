import { addDuration, isDuration } from './duration.js';

describe('durations', () => {
  const from = new Date('2026-01-31T10:00:00.000Z');

  it.each([
    ['30s', '2026-01-31T10:00:30.000Z'],
    ['15m', '2026-01-31T10:15:00.000Z'],
    ['1h', '2026-01-31T11:00:00.000Z'],
    ['30d', '2026-03-02T10:00:00.000Z'],
    ['2w', '2026-02-14T10:00:00.000Z'],
    ['1mo', '2026-03-03T10:00:00.000Z'],
  ])('%s after %s', (text, expected) => {
    expect(isDuration(text)).toBe(true);
    expect(addDuration(from, text)?.toISOString()).toBe(expected);
  });

  it.each(['', '0d', '-1d', '1y', 'd', '1.5h', '30 days'])('rejects %p', (text) => {
    expect(isDuration(text)).toBe(false);
    expect(addDuration(from, text)).toBeUndefined();
  });
});
