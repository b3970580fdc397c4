import { newId } from '../ids';
import type { Shipment } from '../shipments/shipment-store';

export type EventStatus = 'shipped' | 'delivered';

/** `dispatched` (sequence 1) is the creation itself; it is answered, not sent. */
const SEQUENCE: Record<EventStatus, number> = { shipped: 2, delivered: 3 };

/** One message: its id and bytes never change across retries and duplicates, only the signature does. */
export interface OutboundMessage {
  id: string;
  type: string;
  shipmentId: string;
  body: Buffer;
}

/** The Standard Webhooks envelope the ingress's logistics-shipment normalizer reads; `reference` only when the shipment has one. */
export function shipmentEvent(shipment: Shipment, status: EventStatus, at: Date): OutboundMessage {
  const type = `shipment.${status}`;
  const occurredAt = at.toISOString();
  const payload = {
    type,
    timestamp: occurredAt,
    data: {
      shipment_id: shipment.shipmentId,
      order_id: shipment.orderId,
      status,
      tracking_number: shipment.trackingNumber,
      occurred_at: occurredAt,
      sequence: SEQUENCE[status],
      reference: shipment.reference,
    },
  };
  return { id: newId('msg'), type, shipmentId: shipment.shipmentId, body: Buffer.from(JSON.stringify(payload)) };
}
