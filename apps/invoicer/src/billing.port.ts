import type { InvoiceRequested } from '@app/contracts';

export interface CreatedInvoice {
  invoiceId: string;
  number: string;
  total: string;
  currency: string;
  createdAt: string;
}

/** The billing API. `idempotencyKey` makes a repeated call return the first call's invoice (Stripe's rule). */
export interface BillingPort {
  createInvoice(req: InvoiceRequested, idempotencyKey: string): Promise<CreatedInvoice>;
}

/** The billing API refused the request for good (a 4xx other than 429): retrying cannot help. */
export class BillingRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BillingRejected';
  }
}

export const BILLING = Symbol('BILLING');
