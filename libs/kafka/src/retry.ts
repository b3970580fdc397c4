import { backoffDelay } from '@app/common';

/**
 * A bounded retry for start-up calls to Kafka. Retries only what Kafka or kafkajs marks retriable
 * (`retriable: true` on the error or its cause), with the shared backoff (jittered), until `totalMs` has
 * passed; then throws a clear error naming `what` and the last cause.
 */
export interface RetryOptions {
  /** Overall budget in ms (attempts stop once it is spent). */
  totalMs: number;
  initialMs?: number;
  maxMs?: number;
  /** Called before each wait (for a log line). */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class StartupTimeoutError extends Error {
  constructor(
    what: string,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(`${what} did not succeed within the start-up budget after ${attempts} attempts: ${describe(lastError)}`);
    this.name = 'StartupTimeoutError';
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** True when Kafka or kafkajs marks the error (or an error it wraps) retriable. */
export function isRetriable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const x = e as { retriable?: boolean; cause?: unknown; originalError?: unknown; errors?: unknown[] };
    if (x.retriable === true) return true;
    if (Array.isArray(x.errors) && x.errors.length > 0 && x.errors.every((inner) => isRetriable(inner))) return true;
    e = x.cause ?? x.originalError;
  }
  return false;
}

export async function retryTransient<T>(what: string, fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.totalMs;
  const policy = { initialMs: options.initialMs ?? 100, maxMs: options.maxMs ?? 2000 };
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const left = deadline - now();
      if (left <= 0) throw new StartupTimeoutError(what, attempt, err);
      const ms = Math.min(backoffDelay(policy, attempt), left);
      options.onRetry?.(err, attempt, ms);
      await sleep(ms);
    }
  }
}
