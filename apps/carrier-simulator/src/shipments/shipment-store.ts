import { newId, newTrackingNumber } from '../ids';
import type { CreateShipmentRequest, ShipmentAddress, ShipmentLine } from './create-shipment.request';
import { IdempotencyCache } from './idempotency';

export type ShipmentStatus = 'dispatched' | 'shipped' | 'delivered';

export interface Subscription {
  subscriptionId: string;
  url: string;
  shipmentId: string;
  createdAt: string;
}

/** One HTTP attempt to deliver one message to one subscriber; kept for GET /v1/shipments/:id. */
export interface DeliveryAttempt {
  messageId: string;
  type: string;
  url: string;
  /** 1 for the first try, 2+ for retries; duplicates carry the attempt that succeeded. */
  attempt: number;
  duplicate: boolean;
  at: string;
  status?: number;
  error?: string;
}

export interface Shipment {
  shipmentId: string;
  orderId: string;
  /** The client's reference from the creation request, echoed in webhooks. */
  reference?: string;
  trackingNumber: string;
  status: ShipmentStatus;
  address: ShipmentAddress;
  lines: ShipmentLine[];
  createdAt: string;
  updatedAt: string;
  subscriptions: Subscription[];
  deliveries: DeliveryAttempt[];
}

export interface SubscribeResult {
  subscription: Subscription;
  /** False when this (url, shipment) pair was already subscribed. */
  created: boolean;
  /** True for a shipment's first subscription, which starts its lifecycle. */
  first: boolean;
}

/** Keeps memory bounded however long the simulator runs. */
const MAX_DELIVERIES_PER_SHIPMENT = 1000;

/** Shipments and idempotency records, in memory. Bounded: past maxEntries the oldest shipment is evicted. */
export class ShipmentStore {
  readonly idempotency: IdempotencyCache;
  private readonly shipments = new Map<string, Shipment>();

  constructor(private readonly maxEntries = 100_000) {
    this.idempotency = new IdempotencyCache(maxEntries);
  }

  create(request: CreateShipmentRequest, now: Date): Shipment {
    const at = now.toISOString();
    const shipment: Shipment = {
      shipmentId: newId('shp'),
      orderId: request.orderId,
      ...(request.reference !== undefined ? { reference: request.reference } : {}),
      trackingNumber: newTrackingNumber(),
      status: 'dispatched',
      address: request.address,
      lines: request.lines ?? [],
      createdAt: at,
      updatedAt: at,
      subscriptions: [],
      deliveries: [],
    };
    this.shipments.set(shipment.shipmentId, shipment);
    while (this.shipments.size > this.maxEntries) {
      const oldest = this.shipments.keys().next();
      if (oldest.done === true) break;
      this.shipments.delete(oldest.value);
    }
    return shipment;
  }

  get(shipmentId: string): Shipment | undefined {
    return this.shipments.get(shipmentId);
  }

  /** Idempotent by (url, shipment): a second registration returns the first subscription. */
  subscribe(shipmentId: string, url: string, now: Date): SubscribeResult | undefined {
    const shipment = this.shipments.get(shipmentId);
    if (!shipment) return undefined;
    const existing = shipment.subscriptions.find((s) => s.url === url);
    if (existing) return { subscription: existing, created: false, first: false };
    const subscription: Subscription = { subscriptionId: newId('sub'), url, shipmentId, createdAt: now.toISOString() };
    shipment.subscriptions.push(subscription);
    return { subscription, created: true, first: shipment.subscriptions.length === 1 };
  }

  advance(shipmentId: string, status: ShipmentStatus, now: Date): Shipment | undefined {
    const shipment = this.shipments.get(shipmentId);
    if (!shipment) return undefined;
    shipment.status = status;
    shipment.updatedAt = now.toISOString();
    return shipment;
  }

  recordAttempt(shipmentId: string, attempt: DeliveryAttempt): void {
    const deliveries = this.shipments.get(shipmentId)?.deliveries;
    if (!deliveries) return;
    deliveries.push(attempt);
    if (deliveries.length > MAX_DELIVERIES_PER_SHIPMENT) deliveries.shift();
  }
}
