import { CooldownTracker } from './cooldown-tracker.js';

describe('CooldownTracker', () => {
  const policy = { allowedFails: 2, cooldownMs: 5000 };

  it('tolerates allowed_fails failures per minute; the next one starts a cooldown', () => {
    const t = new CooldownTracker();
    expect(t.recordFailure('d', 0, policy)).toBe(false);
    expect(t.recordFailure('d', 1000, policy)).toBe(false);
    expect(t.isCoolingDown('d', 1000)).toBe(false);
    expect(t.recordFailure('d', 2000, policy)).toBe(true);
    expect(t.isCoolingDown('d', 2000)).toBe(true);
    expect(t.remainingMs('d', 3000)).toBe(4000);
    expect(t.isCoolingDown('d', 6999)).toBe(true);
    expect(t.isCoolingDown('d', 7000)).toBe(false);
    expect(t.remainingMs('d', 8000)).toBe(0);
  });

  it('forgets failures older than a minute', () => {
    const t = new CooldownTracker();
    t.recordFailure('d', 0, policy);
    t.recordFailure('d', 10_000, policy);
    expect(t.recordFailure('d', 61_000, policy)).toBe(false); // the one at 0 has expired
    expect(t.recentFailures('d', 61_000)).toBe(2);
    expect(t.recordFailure('d', 62_000, policy)).toBe(true);
  });

  it('starts a fresh count after a cooldown', () => {
    const t = new CooldownTracker();
    for (const at of [0, 1, 2]) t.recordFailure('d', at, policy);
    expect(t.isCoolingDown('d', 100)).toBe(true);
    expect(t.recordFailure('d', 6000, policy)).toBe(false);
    expect(t.isCoolingDown('d', 6000)).toBe(false);
  });

  it('allowed_fails: 0 cools down on the first failure; cooldown_time: 0 never does', () => {
    const t = new CooldownTracker();
    expect(t.recordFailure('a', 0, { allowedFails: 0, cooldownMs: 1000 })).toBe(true);
    expect(t.isCoolingDown('a', 500)).toBe(true);
    for (let i = 0; i < 10; i++) expect(t.recordFailure('b', i, { allowedFails: 0, cooldownMs: 0 })).toBe(false);
    expect(t.isCoolingDown('b', 10)).toBe(false);
  });

  it('keeps deployments apart', () => {
    const t = new CooldownTracker();
    for (const at of [0, 1, 2]) t.recordFailure('a', at, policy);
    expect(t.isCoolingDown('a', 3)).toBe(true);
    expect(t.isCoolingDown('b', 3)).toBe(false);
  });
});
