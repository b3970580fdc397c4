import { SCHEME_PRESETS, signRequest } from '@app/webhooks';
import { backoffDelay, type JsonLogger } from '@app/common';
import { RETRY_MAX_DELAY_MS, type DeliveryConfig } from '../config';
import type { DeliveryAttempt } from '../shipments/shipment-store';
import type { HttpSend, SendResult } from './http-send';
import type { OutboundMessage } from './shipment-event';
import type { Timers } from './timers';

/** What every delivery shares: settings, timers and the signal that shutdown aborts. */
export interface DeliveryContext {
  config: DeliveryConfig;
  timers: Timers;
  send: HttpSend;
  now: () => number;
  signal: AbortSignal;
  logger: JsonLogger;
  record: (shipmentId: string, attempt: DeliveryAttempt) => void;
}

const USER_AGENT = 'hookline-carrier-simulator/1.0';

/** The wait after the n-th failed attempt: the initial delay, doubled each time, capped at 30 s, with jitter. */
export function backoffMs(retryInitialMs: number, failedAttempt: number): number {
  return backoffDelay({ initialMs: retryInitialMs, maxMs: RETRY_MAX_DELAY_MS }, failedAttempt);
}

const succeeded = (r: SendResult): boolean => 'status' in r && r.status >= 200 && r.status < 300;

/**
 * Delivers one message to one subscriber the way real providers do: any non-2xx or network error is
 * retried with exponential backoff up to the attempt limit, then given up with a warning; after a
 * success the same message (same webhook-id, same bytes) is sent `duplicates` more times. Each attempt
 * is signed afresh, so its timestamp is current.
 */
export class DeliveryJob {
  constructor(
    private readonly ctx: DeliveryContext,
    private readonly message: OutboundMessage,
    private readonly url: string,
  ) {}

  start(): void {
    this.run(1);
  }

  private run(attempt: number): void {
    this.attempt(attempt).catch((e: unknown) => {
      this.ctx.logger.error('webhook delivery failed unexpectedly', { messageId: this.message.id, error: e instanceof Error ? e.message : String(e) });
    });
  }

  private async attempt(n: number): Promise<void> {
    const result = await this.post(n, false);
    if (result === undefined) return;
    if (succeeded(result)) return this.sendDuplicates(n);
    const { retryMaxAttempts, retryInitialMs } = this.ctx.config;
    const fields = { messageId: this.message.id, type: this.message.type, url: this.url, attempt: n, ...result };
    if (n >= retryMaxAttempts) {
      this.ctx.logger.warn('webhook given up after the last attempt', fields);
      return;
    }
    const waitMs = backoffMs(retryInitialMs, n);
    this.ctx.logger.info('webhook attempt failed, will retry', { ...fields, retryInMs: waitMs });
    this.ctx.timers.after(waitMs, () => this.run(n + 1));
  }

  /** Duplicates are best effort, as a provider's own redeliveries are: a failed one is not retried. */
  private async sendDuplicates(attempt: number): Promise<void> {
    for (let i = 0; i < this.ctx.config.duplicates; i++) {
      if ((await this.post(attempt, true)) === undefined) return;
    }
  }

  /** Undefined once shut down: nothing is recorded or retried after that. */
  private async post(attempt: number, duplicate: boolean): Promise<SendResult | undefined> {
    const { config, signal, now } = this.ctx;
    if (signal.aborted) return undefined;
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signRequest(SCHEME_PRESETS.standardWebhooks, config.secret, this.message.body, now(), { id: this.message.id }),
    };
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(config.requestTimeoutMs)]);
    const result = await this.ctx.send(this.url, headers, this.message.body, timeout);
    if (signal.aborted) return undefined;
    this.ctx.record(this.message.shipmentId, {
      messageId: this.message.id,
      type: this.message.type,
      url: this.url,
      attempt,
      duplicate,
      at: new Date(now()).toISOString(),
      ...result,
    });
    this.ctx.logger.debug('webhook attempt', { messageId: this.message.id, url: this.url, attempt, duplicate, ...result });
    return result;
  }
}
