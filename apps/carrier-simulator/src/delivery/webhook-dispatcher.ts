import type { OnModuleDestroy } from '@nestjs/common';
import type { JsonLogger } from '@app/common';
import type { DeliveryConfig } from '../config';
import type { ShipmentStore } from '../shipments/shipment-store';
import { DeliveryJob, type DeliveryContext } from './delivery-job';
import { fetchSend, type HttpSend } from './http-send';
import { shipmentEvent, type EventStatus } from './shipment-event';
import { Timers } from './timers';

/**
 * Moves shipments through their lifecycle and tells subscribers: `shipment.shipped` SHIP_DELAY_MS after
 * a shipment's first subscription, `shipment.delivered` DELIVER_DELAY_MS later. Each event is one
 * message (one webhook-id) fanned out to every subscription that exists when it happens; a later
 * subscriber does not get past events. Events of one shipment are not otherwise ordered (a retried
 * `shipped` can arrive after `delivered`): subscribers order them by `data.sequence`, as with real carriers.
 */
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly timers = new Timers();
  private readonly shutdown = new AbortController();
  private readonly ctx: DeliveryContext;

  constructor(
    private readonly config: DeliveryConfig,
    private readonly store: ShipmentStore,
    private readonly logger: JsonLogger,
    send: HttpSend = fetchSend,
    private readonly now: () => number = Date.now,
  ) {
    this.ctx = {
      config,
      timers: this.timers,
      send,
      now,
      signal: this.shutdown.signal,
      logger,
      record: (shipmentId, attempt) => store.recordAttempt(shipmentId, attempt),
    };
  }

  /** Timers still pending (scheduled events and retries). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  startLifecycle(shipmentId: string): void {
    const { shipDelayMs, deliverDelayMs } = this.config;
    this.timers.after(shipDelayMs, () => this.transition(shipmentId, 'shipped'));
    this.timers.after(shipDelayMs + deliverDelayMs, () => this.transition(shipmentId, 'delivered'));
  }

  /** Clears every timer and aborts requests in flight, so a closed app leaves nothing running. */
  onModuleDestroy(): void {
    this.timers.clear();
    this.shutdown.abort();
  }

  private transition(shipmentId: string, status: EventStatus): void {
    const shipment = this.store.advance(shipmentId, status, new Date(this.now()));
    if (!shipment) return; // evicted from the bounded store
    const message = shipmentEvent(shipment, status, new Date(this.now()));
    this.logger.info('shipment event', { shipmentId, type: message.type, messageId: message.id, subscribers: shipment.subscriptions.length });
    for (const subscription of shipment.subscriptions) new DeliveryJob(this.ctx, message, subscription.url).start();
  }
}
