import { escapeHtml, layout } from './html';
import type { EmailTemplate } from './template';

/** To a customer whose order left the warehouse, with its tracking number when the carrier gave one. */
export const shippingConfirmation: EmailTemplate = {
  name: 'shipping-confirmation',
  required: ['orderId'],
  render(v) {
    const subject = `Your order ${v.orderId} has shipped`;
    const tracking = v.trackingNumber ? `Tracking number: ${v.trackingNumber}` : 'The carrier will send a tracking number separately.';
    const text = [`Good news: your order ${v.orderId} is on its way.`, '', tracking, '', 'Thank you for shopping with us.'].join('\n');
    const html = layout(
      subject,
      [
        `<h1 style="font-size:20px;margin:0 0 16px">Your order ${escapeHtml(v.orderId)} has shipped</h1>`,
        `<p>Good news: your order <strong>${escapeHtml(v.orderId)}</strong> is on its way.</p>`,
        v.trackingNumber
          ? `<p>Tracking number: <code style="font-size:15px">${escapeHtml(v.trackingNumber)}</code></p>`
          : '<p>The carrier will send a tracking number separately.</p>',
        '<p>Thank you for shopping with us.</p>',
      ].join('\n'),
    );
    return { subject, text, html };
  },
};
