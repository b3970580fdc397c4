import type { ClassConstructor } from 'class-transformer';
import { Topics, type TopicName } from './topics';
import { EmailFailed, EmailRequested, EmailSent, InvoiceCreated, InvoiceRequested, LeadDisqualified, LeadQualified, OrderStatusChanged } from './follow-ups';
import { Lead } from './lead';
import { Order } from './order';
import { ShipmentUpdate } from './shipment';

/**
 * The one registry of event contracts: for each topic with a canonical shape, the class its record data
 * must satisfy. Topics missing here (webhooks.github, .stripe, .slack, quarantine) carry the provider's
 * JSON unchanged.
 */
export const TOPIC_CONTRACTS: Partial<Record<TopicName, ClassConstructor<object>>> = {
  [Topics.LeadsCreated]: Lead,
  [Topics.OrdersPlaced]: Order,
  [Topics.ShipmentsUpdated]: ShipmentUpdate,
  [Topics.LeadsQualified]: LeadQualified,
  [Topics.LeadsDisqualified]: LeadDisqualified,
  [Topics.EmailsRequested]: EmailRequested,
  [Topics.InvoicesRequested]: InvoiceRequested,
  [Topics.OrdersStatusChanged]: OrderStatusChanged,
  [Topics.EmailsSent]: EmailSent,
  [Topics.EmailsFailed]: EmailFailed,
  [Topics.InvoicesCreated]: InvoiceCreated,
};

export function contractFor(topic: string): ClassConstructor<object> | undefined {
  return TOPIC_CONTRACTS[topic as TopicName];
}
