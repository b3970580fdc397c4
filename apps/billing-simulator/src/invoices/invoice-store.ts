import { randomBytes } from 'node:crypto';
import type { CreateInvoiceRequest } from './create-invoice.request';
import { fromUnits, toUnits } from './money';

export interface Invoice {
  id: string;
  number: string;
  status: 'open';
  customer: { email: string; name?: string };
  currency: string;
  reference?: string;
  lines: { description: string; quantity: number; unitAmount: string; amount: string }[];
  total: string;
  createdAt: string;
  /** The Idempotency-Key it was created with: shown so a duplicate would be visible. */
  idempotencyKey: string;
}

/** Invoices in memory, in creation order, numbered INV-000001 upwards. Bounded: the oldest go first. */
export class InvoiceStore {
  private readonly invoices = new Map<string, Invoice>();
  private next = 1;

  constructor(private readonly maxInvoices = 100_000) {}

  create(req: CreateInvoiceRequest, key: string, at: Date): Invoice {
    const lines = req.lines.map((l) => ({ ...l, amount: fromUnits(toUnits(l.unitAmount) * BigInt(l.quantity)) }));
    const total = fromUnits(req.lines.reduce((sum, l) => sum + toUnits(l.unitAmount) * BigInt(l.quantity), 0n));
    const invoice: Invoice = {
      id: `in_${randomBytes(12).toString('hex')}`,
      number: `INV-${String(this.next++).padStart(6, '0')}`,
      status: 'open',
      customer: { ...req.customer },
      currency: req.currency.toUpperCase(),
      reference: req.reference,
      lines,
      total,
      createdAt: at.toISOString(),
      idempotencyKey: key,
    };
    this.invoices.set(invoice.id, invoice);
    while (this.invoices.size > this.maxInvoices) this.invoices.delete(this.invoices.keys().next().value as string);
    return invoice;
  }

  get(id: string): Invoice | undefined {
    return this.invoices.get(id);
  }

  list(): Invoice[] {
    return [...this.invoices.values()];
  }
}
