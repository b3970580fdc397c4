import { validateAs } from '@app/contracts';
import { WebhookDispatcher } from './delivery/webhook-dispatcher';
import { CarrierError } from './errors';
import { CreateShipmentRequest } from './shipments/create-shipment.request';
import { checkKey, fingerprint, type StoredResponse } from './shipments/idempotency';
import { ShipmentStore, type Shipment } from './shipments/shipment-store';
import { CreateSubscriptionRequest } from './subscriptions/create-subscription.request';

export interface Outcome extends StoredResponse {
  /** True when the response is the stored one of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/** The simulator's use cases; controllers only translate HTTP to these calls and back. */
export class CarrierService {
  constructor(
    private readonly store: ShipmentStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly now: () => number = Date.now,
  ) {}

  createShipment(idempotencyKey: string | undefined, body: unknown): Outcome {
    const key = checkKey(idempotencyKey, true);
    return this.idempotent('shipments', key, body, () => {
      const request = check(CreateShipmentRequest, body);
      const shipment = this.store.create(request, new Date(this.now()));
      const { shipmentId, trackingNumber, orderId, reference, status, createdAt } = shipment;
      return { status: 201, body: { shipmentId, trackingNumber, orderId, reference, status, createdAt } };
    });
  }

  /** 201 for a new subscription, 200 with the existing one when (url, shipmentId) is already subscribed. */
  subscribe(idempotencyKey: string | undefined, body: unknown): Outcome {
    const key = checkKey(idempotencyKey, false);
    return this.idempotent('webhook-subscriptions', key, body, () => {
      const request = check(CreateSubscriptionRequest, body);
      // Normalized so that two spellings of one URL count as one subscription.
      const url = new URL(request.url).href;
      const result = this.store.subscribe(request.shipmentId, url, new Date(this.now()));
      if (!result) throw new CarrierError('SHIPMENT_NOT_FOUND');
      if (result.first) this.dispatcher.startLifecycle(request.shipmentId);
      return { status: result.created ? 201 : 200, body: result.subscription };
    });
  }

  getShipment(shipmentId: string): Shipment {
    const shipment = this.store.get(shipmentId);
    if (!shipment) throw new CarrierError('SHIPMENT_NOT_FOUND');
    return shipment;
  }

  /** Runs create once per (scope, key, body); errors are not recorded, so a refused request can be retried. */
  private idempotent(scope: string, key: string | undefined, body: unknown, create: () => StoredResponse): Outcome {
    if (key === undefined) return { ...create(), replayed: false };
    const print = fingerprint(body);
    const found = this.store.idempotency.lookup(scope, key, print);
    if (found.kind === 'conflict') throw new CarrierError('IDEMPOTENCY_KEY_REUSED');
    if (found.kind === 'replay') return { ...found.response, replayed: true };
    const response = create();
    this.store.idempotency.save(scope, key, print, response);
    return { ...response, replayed: false };
  }
}

function check<T extends object>(cls: new () => T, body: unknown): T {
  const checked = validateAs(cls, body);
  if (!checked.ok) throw new CarrierError('INVALID_REQUEST', checked.reason);
  return checked.value;
}
