import { escapeHtml, layout } from './html';
import type { EmailTemplate } from './template';

/** To a newly qualified lead, introducing the rep who owns them (by name when known, else by address). */
export const welcome: EmailTemplate = {
  name: 'welcome',
  required: ['ownerEmail'],
  render(vars) {
    const v: Readonly<Record<string, string>> = { ...vars, ownerName: vars.ownerName || vars.ownerEmail };
    const greeting = v.firstName ? `Hello ${v.firstName},` : 'Hello,';
    const subject = 'Welcome to hookline';
    const text = [
      greeting,
      '',
      `Thanks for your interest. ${v.ownerName} will be your contact and will be in touch shortly.`,
      `You can also reach ${v.ownerName} directly at ${v.ownerEmail}.`,
      '',
      'The hookline team',
    ].join('\n');
    const html = layout(
      subject,
      [
        `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(greeting)}</h1>`,
        `<p>Thanks for your interest. <strong>${escapeHtml(v.ownerName)}</strong> will be your contact and will be in touch shortly.</p>`,
        `<p>You can also reach ${escapeHtml(v.ownerName)} directly at <a href="mailto:${escapeHtml(v.ownerEmail)}">${escapeHtml(v.ownerEmail)}</a>.</p>`,
        '<p>The hookline team</p>',
      ].join('\n'),
    );
    return { subject, text, html };
  },
};
