import { effectKey, type AgentContext } from '@app/agent';
import { JsonLogger } from '@app/common';
import { Topics, type EmailRequested } from '@app/contracts';
import type { MailTransport, OutgoingEmail } from '../../../apps/mailer/src/mail-transport';
import { smtpUrl } from '../../../apps/mailer/src/mailer.module';
import { MESSAGE_ID_DOMAIN, SendEmail } from '../../../apps/mailer/src/send-email';
import { classifySmtpFailure } from '../../../apps/mailer/src/smtp-outcome';
import { renderEmail, TEMPLATES } from '../../../apps/mailer/src/templates';

/** nodemailer's error shape: code, responseCode, response, command. */
const smtpError = (props: Record<string, unknown>) => Object.assign(new Error(typeof props.response === 'string' ? props.response : 'smtp error'), props);

describe('SMTP failure → outcome (the mapping in apps/mailer/src/smtp-outcome.ts)', () => {
  it.each([
    { name: '550 to RCPT TO (no such mailbox)', err: smtpError({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 mailbox unknown' }), kind: 'reject' },
    { name: '554 to DATA (content refused)', err: smtpError({ code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 rejected' }), kind: 'reject' },
    { name: '553 to MAIL FROM', err: smtpError({ code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', response: '553 sender refused' }), kind: 'reject' },
    { name: '451 to RCPT TO (greylisting)', err: smtpError({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 try later' }), kind: 'retry' },
    { name: '421 greeting (server busy)', err: smtpError({ code: 'EPROTOCOL', responseCode: 421, command: 'CONN', response: '421 busy' }), kind: 'retry' },
    { name: '452 to DATA (mailbox full)', err: smtpError({ code: 'EMESSAGE', responseCode: 452, command: 'DATA' }), kind: 'retry' },
    { name: '535 to AUTH (bad credentials: the mailer setup)', err: smtpError({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }), kind: 'retry' },
    { name: 'connection refused', err: smtpError({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1025' }), kind: 'retry' },
    { name: 'timeout', err: smtpError({ code: 'ETIMEDOUT', message: 'Greeting never received' }), kind: 'retry' },
    { name: 'a thrown string', err: 'boom', kind: 'retry' },
  ])('$name → $kind', ({ err, kind }) => {
    expect(classifySmtpFailure(err).kind).toBe(kind);
  });
});

describe('template library', () => {
  it.each([
    { template: 'welcome', vars: { firstName: 'Ana', ownerName: 'Bo Li', ownerEmail: 'bo@hookline.dev' }, subject: 'Welcome to hookline', text: ['Hello Ana,', 'Bo Li will be your contact', 'bo@hookline.dev'] },
    { template: 'welcome', vars: { ownerName: 'Bo', ownerEmail: 'bo@x.io' }, subject: 'Welcome to hookline', text: ['Hello,'] },
    { template: 'welcome', vars: { ownerEmail: 'bo@x.io' }, subject: 'Welcome to hookline', text: ['bo@x.io will be your contact'] },
    { template: 'shipping-confirmation', vars: { orderId: '1042', trackingNumber: 'TRK-9' }, subject: 'Your order 1042 has shipped', text: ['order 1042 is on its way', 'Tracking number: TRK-9'] },
    { template: 'shipping-confirmation', vars: { orderId: '1042' }, subject: 'Your order 1042 has shipped', text: ['tracking number separately'] },
  ])('renders $template with plain-text and HTML parts', ({ template, vars, subject, text }) => {
    const r = renderEmail(template, vars);
    expect(r.subject).toBe(subject);
    for (const t of text) expect(r.text).toContain(t);
    expect(r.html).toMatch(/^<!doctype html>/);
    for (const v of Object.values(vars)) expect(r.html).toContain(v);
  });

  it.each([
    { name: 'an unknown template', template: 'newsletter', vars: {}, error: 'no template "newsletter"' },
    { name: 'a missing variable', template: 'welcome', vars: { ownerName: 'Bo' }, error: 'needs ownerEmail' },
    { name: 'an empty variable', template: 'shipping-confirmation', vars: { orderId: '' }, error: 'needs orderId' },
    { name: 'a non-string variable', template: 'shipping-confirmation', vars: { orderId: 7 }, error: 'must be a string' },
  ])('refuses $name', ({ template, vars, error }) => {
    expect(() => renderEmail(template, vars)).toThrow(error);
  });

  it('escapes variables in HTML and keeps line breaks out of the subject', () => {
    const r = renderEmail('shipping-confirmation', { orderId: '<script>x</script>\r\nBcc: evil@x.io' });
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;script&gt;');
    expect(r.subject).not.toMatch(/[\r\n]/);
  });

  it('has a template for every name the contract allows', () => {
    expect(Object.keys(TEMPLATES).sort()).toEqual(['shipping-confirmation', 'welcome']);
  });
});

describe('SendEmail', () => {
  const request: EmailRequested = { template: 'welcome', to: 'ana@acme.io', variables: { ownerName: 'Bo', ownerEmail: 'bo@hookline.dev' } };
  const ctxFor = (published: Array<[string, object]>): AgentContext =>
    ({
      event: { id: 'evt-1', source: 's', type: 't', time: new Date(0).toISOString(), data: {}, extensions: {} },
      logger: new JsonLogger('test', 'error'),
      effect: async <T>(name: string, fn: (key: string) => Promise<T>) => fn(effectKey('evt-1', name)),
      publish: (topic: string, _type: string, data: object) => (published.push([topic, data]), 'id'),
    }) as unknown as AgentContext;
  const transport = (behaviour: (e: OutgoingEmail) => Promise<{ response: string }>) => {
    const sent: OutgoingEmail[] = [];
    const t: MailTransport = { send: (e) => (sent.push(e), behaviour(e)), close: () => undefined };
    return { t, sent };
  };

  it('sends with a Message-ID derived from the event id and publishes emails.sent', async () => {
    const { t, sent } = transport(async () => ({ response: '250 2.0.0 Ok: queued as X' }));
    const published: Array<[string, object]> = [];
    await new SendEmail(t, 'hookline <no-reply@hookline.dev>').execute(request, ctxFor(published));
    expect(sent[0]).toMatchObject({ to: 'ana@acme.io', subject: 'Welcome to hookline', messageId: `${effectKey('evt-1', 'smtp-send')}@${MESSAGE_ID_DOMAIN}` });
    expect(sent[0].headers['X-Hookline-Event-Id']).toBe('evt-1');
    expect(published).toEqual([[Topics.EmailsSent, expect.objectContaining({ requestId: 'evt-1', messageId: sent[0].messageId, response: '250 2.0.0 Ok: queued as X' })]]);
  });

  it('publishes emails.failed for a 5xx, and fails the attempt (a retry) for a 4xx', async () => {
    const published: Array<[string, object]> = [];
    const bounce = transport(async () => Promise.reject(smtpError({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 no such user' })));
    await new SendEmail(bounce.t, 'f@x.io').execute(request, ctxFor(published));
    expect(published).toEqual([[Topics.EmailsFailed, expect.objectContaining({ smtpCode: 550, response: '550 no such user' })]]);
    const busy = transport(async () => Promise.reject(smtpError({ code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO', response: '451 later' })));
    await expect(new SendEmail(busy.t, 'f@x.io').execute(request, ctxFor([]))).rejects.toThrow('SMTP 451 (temporary)');
  });

  it('dead-letters a request it cannot render, without sending', async () => {
    const { t, sent } = transport(async () => ({ response: '250' }));
    await expect(new SendEmail(t, 'f@x.io').execute({ ...request, variables: {} }, ctxFor([]))).rejects.toMatchObject({ name: 'DeadLetterError' });
    expect(sent).toHaveLength(0);
  });

  it.each([
    { value: 'smtp://127.0.0.1:1025', ok: true },
    { value: 'smtps://u:p@mail.example.com:465', ok: true },
    { value: 'http://127.0.0.1:1025', ok: false },
    { value: 'not a url', ok: false },
  ])('SMTP_URL $value is accepted: $ok', ({ value, ok }) => {
    if (ok) expect(smtpUrl(value).hostname).toBeTruthy();
    else expect(() => smtpUrl(value)).toThrow('SMTP_URL');
  });
});
