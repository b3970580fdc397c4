import type { Address, OrderLine } from '@app/contracts';

export interface Dispatch {
  shipmentId: string;
  trackingNumber?: string;
}

/**
 * The logistics carrier's API. Every call carries an idempotency key derived from the input event, so
 * a handler re-run after a crash (or a retry) asks for the same shipment, not a second one.
 */
export interface CarrierPort {
  /** `reference` is echoed in the shipment's webhooks (the id of the event that asked for it: see FulfilOrder). */
  dispatch(order: { orderId: string; address: Address; lines: OrderLine[]; reference?: string }, idempotencyKey: string): Promise<Dispatch>;
  subscribe(shipmentId: string, callbackUrl: string, idempotencyKey: string): Promise<void>;
}

export const CARRIER = Symbol('CARRIER');
export const CARRIER_CALLBACK_URL = Symbol('CARRIER_CALLBACK_URL');
