import { backoffDelayMs, sleep } from './backoff.js';
import { seededRng } from './random.js';

describe('backoffDelayMs', () => {
  const settings = { baseMs: 100, capMs: 1000 };

  it('doubles per retry within [step/2, step], capped', () => {
    const steps = [100, 200, 400, 800, 1000, 1000];
    const rng = seededRng(11);
    steps.forEach((step, i) => {
      for (let k = 0; k < 200; k++) {
        const d = backoffDelayMs(i, settings, rng);
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(step);
      }
    });
  });

  it('is exactly the bounds at the extremes of the random draw', () => {
    expect(backoffDelayMs(2, settings, () => 0)).toBe(200);
    expect(backoffDelayMs(2, settings, () => 0.999999)).toBeCloseTo(400, 2);
  });

  it('is reproducible with a seed and jittered across seeds', () => {
    const schedule = (seed: number) => {
      const rng = seededRng(seed);
      return [0, 1, 2, 3].map((i) => Math.round(backoffDelayMs(i, settings, rng)));
    };
    expect(schedule(5)).toEqual(schedule(5));
    expect(schedule(5)).not.toEqual(schedule(6));
  });

  it('a zero base (retry_after: 0) means no wait', () => {
    expect(backoffDelayMs(3, { baseMs: 0, capMs: 1000 }, () => 0.5)).toBe(0);
  });
});

describe('sleep', () => {
  it('rejects as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(5000, controller.signal);
    setTimeout(() => controller.abort(new Error('gone')), 20);
    await expect(pending).rejects.toThrow('gone');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
