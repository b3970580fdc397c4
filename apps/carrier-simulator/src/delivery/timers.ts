/**
 * Every timer the simulator starts, so shutdown can clear them all: a pending retry must not keep a
 * closed app (or a test run) alive, nor fire into it afterwards.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  get size(): number {
    return this.pending.size;
  }

  /** Runs fn after ms, unless clear() was called first; does nothing once cleared. */
  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    this.pending.add(timer);
  }

  clear(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
