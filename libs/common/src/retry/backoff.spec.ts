import { backoffDelay, type BackoffPolicy } from './backoff';

describe('backoffDelay', () => {
  const exact: BackoffPolicy = { initialMs: 500, maxMs: 30_000, jitter: 0 };

  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [4, 4000],
    [6, 16_000],
    [7, 30_000],
    [10, 30_000],
    [1000, 30_000],
  ])('without jitter, failure %i waits %i ms', (failures, ms) => {
    expect(backoffDelay(exact, failures)).toBe(ms);
  });

  it('takes at most the jitter share off, and the whole share when the draw is 1', () => {
    const policy: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, jitter: 0.2 };
    expect(backoffDelay(policy, 3, () => 0)).toBe(4000);
    expect(backoffDelay(policy, 3, () => 1)).toBe(3200);
    for (let i = 0; i < 1000; i++) {
      const d = backoffDelay(policy, 2);
      expect(d).toBeGreaterThanOrEqual(1600);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });

  it('spreads retries out: many draws give many different delays', () => {
    const delays = new Set(Array.from({ length: 200 }, () => backoffDelay({ initialMs: 1000, maxMs: 10_000 }, 3)));
    expect(delays.size).toBeGreaterThan(50);
  });

  it('honours another growth factor and treats failures below 1 as the first', () => {
    expect(backoffDelay({ initialMs: 100, maxMs: 10_000, factor: 3, jitter: 0 }, 3)).toBe(900);
    expect(backoffDelay(exact, 0)).toBe(500);
  });
});
