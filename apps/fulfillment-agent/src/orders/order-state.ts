import type { Customer, OrderLine, OrderStatus, ShipmentStatus } from '@app/contracts';

/** What the agent keeps per order, in its keyed state (key: order id). */
export interface OrderState {
  orderId: string;
  status: OrderStatus;
  shipmentId: string;
  trackingNumber?: string;
  lastSequence: number;
  email: string;
  customer: Customer;
  lines: OrderLine[];
  total: string;
  currency: string;
  /** Set once the shipping email and the invoice were requested. */
  billed: boolean;
}

const RANK: Record<OrderStatus, number> = { placed: 0, dispatched: 1, in_transit: 2, shipped: 3, delivered: 4, exception: 2 };

export type Transition = { kind: 'advance'; to: OrderStatus } | { kind: 'ignore'; why: string } | { kind: 'impossible'; why: string };

/**
 * The order life cycle: placed → dispatched → (in_transit) → shipped → delivered, with exception possible
 * before delivery. Older or repeated carrier updates are ignored; moves out of delivered are impossible.
 */
export function transition(state: OrderState, update: { status: ShipmentStatus; sequence?: number; shipmentId: string }): Transition {
  if (update.shipmentId !== state.shipmentId) return { kind: 'impossible', why: `shipment ${update.shipmentId} is not this order's (${state.shipmentId})` };
  if (update.sequence !== undefined && update.sequence <= state.lastSequence) return { kind: 'ignore', why: `sequence ${update.sequence} already seen` };
  const to: OrderStatus = update.status;
  if (state.status === 'delivered') {
    return to === 'delivered' ? { kind: 'ignore', why: 'already delivered' } : { kind: 'impossible', why: `${to} after delivered` };
  }
  if (to === 'exception') return state.status === 'exception' ? { kind: 'ignore', why: 'already in exception' } : { kind: 'advance', to };
  if (RANK[to] <= RANK[state.status] && state.status !== 'exception') return { kind: 'ignore', why: `stale: ${to} after ${state.status}` };
  return { kind: 'advance', to };
}
