/**
 * A counting semaphore: at most `limit` handler attempts run at once in the process (AGENT_MAX_IN_FLIGHT),
 * whatever the number of partitions and keys. Waiters are served in arrival order.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a whole number of at least 1, got ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // The permit passes straight to the next waiter: `active` stays as it is.
      if (next) next();
      else this.active--;
    }
  }
}
