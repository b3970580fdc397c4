import { Inject, Injectable } from '@nestjs/common';
import { DeadLetterError, type AgentContext } from '@app/agent';
import { Topics, type InvoiceRequested } from '@app/contracts';
import { BILLING, BillingRejected, type BillingPort } from './billing.port';

/** invoices.requested → one invoice in the billing API (an effect with its idempotency key) → invoices.created. */
@Injectable()
export class RaiseInvoice {
  constructor(@Inject(BILLING) private readonly billing: BillingPort) {}

  async execute(req: InvoiceRequested, ctx: AgentContext): Promise<void> {
    const invoice = await ctx.effect('billing-invoice', async (key) => {
      try {
        return await this.billing.createInvoice(req, key);
      } catch (err) {
        if (err instanceof BillingRejected) throw new DeadLetterError(err.message);
        throw err;
      }
    });
    ctx.publish(
      Topics.InvoicesCreated,
      'invoice.created',
      { orderId: req.orderId, invoiceId: invoice.invoiceId, number: invoice.number, total: invoice.total, currency: invoice.currency, customerEmail: req.customer.email, createdAt: invoice.createdAt },
      { purpose: 'created', key: req.orderId },
    );
  }
}
