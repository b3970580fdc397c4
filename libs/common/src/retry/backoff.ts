/** Exponential backoff with jitter: the one formula every retry loop of hookline uses. */
export interface BackoffPolicy {
  /** Delay after the first failure, in ms. */
  initialMs: number;
  /** No delay is longer than this, in ms. */
  maxMs: number;
  /** Growth per consecutive failure; 2 unless set. */
  factor?: number;
  /**
   * Share of each delay taken off at random, 0 to 1 (0.2 unless set): many clients retrying after the same
   * outage spread out instead of arriving together. 0 makes the delay exact.
   */
  jitter?: number;
}

/**
 * The delay before retrying after `failures` consecutive failures (1 for the first): initial·factor^(n-1),
 * capped at maxMs, less up to `jitter` of it at random. Never below initialMs·(1 − jitter).
 */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const factor = policy.factor ?? 2;
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? 0.2));
  const exponent = Math.max(0, Math.floor(failures) - 1);
  const base = Math.min(policy.initialMs * factor ** Math.min(exponent, 64), policy.maxMs);
  return Math.round(base * (1 - jitter * random()));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
