import { Inject, Injectable } from '@nestjs/common';
import { DeadLetterError, type AgentContext } from '@app/agent';
import { Topics, type Order, type OrderStatus, type ShipmentUpdate } from '@app/contracts';
import { CARRIER, CARRIER_CALLBACK_URL, type CarrierPort } from '../carrier/carrier.port';
import { transition, type OrderState } from './order-state';

@Injectable()
export class FulfilOrder {
  constructor(
    @Inject(CARRIER) private readonly carrier: CarrierPort,
    @Inject(CARRIER_CALLBACK_URL) private readonly callbackUrl: string,
  ) {}

  /** orders.placed: dispatch to the carrier, subscribe to its shipment webhooks, record `dispatched`. */
  async place(order: Order, ctx: AgentContext): Promise<void> {
    if (ctx.state.get<OrderState>(order.orderId)) {
      ctx.logger.info('order already known; ignoring a second placement', { orderId: order.orderId });
      return;
    }
    // Effects: once recorded, a retry or a redrive reuses the shipment; before that, a re-run after a
    // crash sends the same idempotency key, so the carrier answers with the same shipment. The reference
    // (this order event's id) comes back in the carrier's webhooks, where the ingress makes it their
    // ce_causationid: the shipment updates join this order's trace.
    const dispatch = await ctx.effect('carrier-dispatch', (key) =>
      this.carrier.dispatch({ orderId: order.orderId, address: order.shippingAddress, lines: order.lines, reference: ctx.event.id }, key),
    );
    await ctx.effect('carrier-subscribe', (key) => this.carrier.subscribe(dispatch.shipmentId, this.callbackUrl, key));
    const state: OrderState = {
      orderId: order.orderId,
      status: 'dispatched',
      shipmentId: dispatch.shipmentId,
      trackingNumber: dispatch.trackingNumber,
      lastSequence: 1,
      email: order.customer.email,
      customer: order.customer,
      lines: order.lines,
      total: order.total,
      currency: order.currency,
      billed: false,
    };
    this.statusChanged(ctx, state, undefined, 'placed');
    this.statusChanged(ctx, state, 'placed', 'dispatched');
    ctx.state.put(state, order.orderId);
  }

  /** shipments.updated: advance the order; on shipped, request the shipping email and the invoice. */
  async track(update: ShipmentUpdate, ctx: AgentContext): Promise<void> {
    const state = ctx.state.get<OrderState>(update.orderId);
    if (!state) throw new DeadLetterError(`shipment update for unknown order ${update.orderId}`);
    const t = transition(state, update);
    if (t.kind === 'impossible') throw new DeadLetterError(`impossible shipment update: ${t.why}`);
    if (t.kind === 'ignore') {
      ctx.logger.info('shipment update ignored', { orderId: update.orderId, why: t.why });
      return;
    }
    const next: OrderState = {
      ...state,
      status: t.to,
      lastSequence: update.sequence ?? state.lastSequence,
      trackingNumber: update.trackingNumber ?? state.trackingNumber,
    };
    this.statusChanged(ctx, next, state.status, t.to);
    if ((t.to === 'shipped' || t.to === 'delivered') && !state.billed) {
      next.billed = true;
      ctx.publish(
        Topics.EmailsRequested,
        'email.requested',
        { template: 'shipping-confirmation', to: state.email, variables: { orderId: state.orderId, trackingNumber: next.trackingNumber ?? '' } },
        { purpose: 'shipping-email' },
      );
      ctx.publish(
        Topics.InvoicesRequested,
        'invoice.requested',
        { orderId: state.orderId, lines: state.lines, total: state.total, currency: state.currency, customer: state.customer },
        { purpose: 'invoice' },
      );
    }
    ctx.state.put(next, update.orderId);
  }

  private statusChanged(ctx: AgentContext, state: OrderState, from: OrderStatus | undefined, to: OrderStatus): void {
    ctx.publish(
      Topics.OrdersStatusChanged,
      'order.status-changed',
      { orderId: state.orderId, from, to, at: ctx.event.time, trackingNumber: state.trackingNumber },
      { purpose: `status:${to}`, key: state.orderId },
    );
  }
}
