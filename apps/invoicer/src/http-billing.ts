import type { InvoiceRequested } from '@app/contracts';
import { BillingRejected, type BillingPort, type CreatedInvoice } from './billing.port';

/** The billing simulator's (and, in shape, Stripe's) invoice API over HTTP. */
export class HttpBilling implements BillingPort {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  async createInvoice(req: InvoiceRequested, idempotencyKey: string): Promise<CreatedInvoice> {
    const res = await fetch(new URL('/v1/invoices', this.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify({
        customer: req.customer,
        currency: req.currency,
        reference: req.orderId,
        lines: req.lines.map((l) => ({ description: `${l.title} (${l.sku})`, quantity: l.quantity, unitAmount: l.unitPrice })),
      }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    // 429 and 5xx may pass; any other 4xx (a bad request, a key reused with other parameters) will not.
    if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new BillingRejected(`billing answered ${res.status}: ${text.slice(0, 300)}`);
    if (!res.ok) throw new Error(`billing answered ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { id?: unknown; number?: unknown; total?: unknown; currency?: unknown; createdAt?: unknown };
    if (typeof body.id !== 'string' || typeof body.number !== 'string' || typeof body.total !== 'string' || typeof body.currency !== 'string' || typeof body.createdAt !== 'string') {
      throw new Error('billing answered 2xx without id, number, total, currency and createdAt');
    }
    return { invoiceId: body.id, number: body.number, total: body.total, currency: body.currency, createdAt: body.createdAt };
  }
}
