import type { EMAIL_TEMPLATES } from '@app/contracts';
import { shippingConfirmation } from './shipping-confirmation';
import { TemplateError, type EmailTemplate, type RenderedEmail } from './template';
import { welcome } from './welcome';

export { escapeHtml } from './html';
export { TemplateError, type EmailTemplate, type RenderedEmail } from './template';

/** Every template the mailer renders, one per name the contract allows (the type checks both lists match). */
export const TEMPLATES: Record<(typeof EMAIL_TEMPLATES)[number], EmailTemplate> = {
  welcome,
  'shipping-confirmation': shippingConfirmation,
};

/** Renders a request, or throws TemplateError naming what is wrong. Variables are only ever escaped text. */
export function renderEmail(name: string, vars: Readonly<Record<string, unknown>>): RenderedEmail {
  const template = (TEMPLATES as Record<string, EmailTemplate | undefined>)[name];
  if (!template) throw new TemplateError(`no template "${name}" (known: ${Object.keys(TEMPLATES).join(', ')})`);
  const strings: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    if (typeof v !== 'string') throw new TemplateError(`template "${name}": variable ${k} must be a string`);
    strings[k] = v;
  }
  const missing = template.required.filter((k) => !strings[k]);
  if (missing.length > 0) throw new TemplateError(`template "${name}" needs ${missing.join(', ')}`);
  // Header injection: a subject never carries a line break, whatever a variable held.
  const rendered = template.render(strings);
  return { ...rendered, subject: rendered.subject.replace(/[\r\n]+/g, ' ') };
}
