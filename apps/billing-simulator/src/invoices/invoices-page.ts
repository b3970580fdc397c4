import type { Invoice } from './invoice-store';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** GET /invoices: every invoice, newest first, as a plain HTML table for a person. */
export function invoicesPage(invoices: Invoice[]): string {
  const rows = [...invoices]
    .reverse()
    .map(
      (i) =>
        `<tr><td>${esc(i.number)}</td><td><code>${esc(i.id)}</code></td><td>${esc(i.reference ?? '')}</td><td>${esc(i.customer.email)}</td>` +
        `<td style="text-align:right">${esc(i.total)} ${esc(i.currency)}</td><td>${esc(i.createdAt)}</td><td><code>${esc(i.idempotencyKey)}</code></td></tr>`,
    )
    .join('\n');
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>Billing simulator: invoices</title>',
    '<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}</style>',
    `</head><body><h1>Invoices (${invoices.length})</h1>`,
    '<table><tr><th>number</th><th>id</th><th>reference</th><th>customer</th><th>total</th><th>created</th><th>idempotency key</th></tr>',
    rows,
    '</table><p>JSON: <a href="/v1/invoices">/v1/invoices</a></p></body></html>',
  ].join('\n');
}
