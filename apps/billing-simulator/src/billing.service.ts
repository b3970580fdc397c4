import { validateAs } from '@app/contracts';
import { BillingError } from './errors';
import { CreateInvoiceRequest } from './invoices/create-invoice.request';
import { checkKey, IdempotencyStore, type StoredResponse } from './invoices/idempotency';
import { InvoiceStore, type Invoice } from './invoices/invoice-store';

export interface Outcome extends StoredResponse {
  replayed: boolean;
}

/** The simulator's use cases; controllers only translate HTTP to these calls and back. */
export class BillingService {
  constructor(
    readonly store: InvoiceStore = new InvoiceStore(),
    private readonly idempotency: IdempotencyStore = new IdempotencyStore(),
    private readonly now: () => number = Date.now,
  ) {}

  /** POST /v1/invoices: one invoice per Idempotency-Key, as Stripe does. */
  createInvoice(idempotencyKey: string | undefined, body: unknown): Outcome {
    const key = checkKey(idempotencyKey);
    return this.idempotency.run(key, body, this.now(), () => {
      const checked = validateAs(CreateInvoiceRequest, body);
      if (!checked.ok) throw new BillingError('INVALID_REQUEST', checked.reason);
      return { status: 201, body: this.store.create(checked.value, key, new Date(this.now())) };
    });
  }

  getInvoice(id: string): Invoice {
    const invoice = this.store.get(id);
    if (!invoice) throw new BillingError('INVOICE_NOT_FOUND');
    return invoice;
  }
}
