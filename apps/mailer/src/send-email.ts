import { Inject, Injectable } from '@nestjs/common';
import { DeadLetterError, type AgentContext } from '@app/agent';
import { Topics, type EmailRequested } from '@app/contracts';
import { MAIL_FROM, MAIL_TRANSPORT, type MailTransport } from './mail-transport';
import { classifySmtpFailure } from './smtp-outcome';
import { renderEmail, TemplateError } from './templates';

/** What the `smtp-send` effect records: the server's answer, accepted or refused for good. */
type SendResult = { status: 'sent'; messageId: string; response: string } | { status: 'rejected'; messageId: string; code: number; response: string };

/** The Message-ID domain: the id's left part is the effect's key, derived from the request's event id. */
export const MESSAGE_ID_DOMAIN = 'mailer.hookline';

/** emails.requested → render, send over SMTP once per recorded outcome, publish emails.sent or emails.failed. */
@Injectable()
export class SendEmail {
  constructor(
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(MAIL_FROM) private readonly from: string,
  ) {}

  async execute(req: EmailRequested, ctx: AgentContext): Promise<void> {
    let rendered;
    try {
      rendered = renderEmail(req.template, req.variables);
    } catch (err) {
      if (err instanceof TemplateError) throw new DeadLetterError(err.message);
      throw err;
    }
    // The effect's key makes the Message-ID: a second copy after a crash (SMTP has no idempotency key)
    // carries the same Message-ID, so a reader, or a test, can tell it is the same email.
    const result = await ctx.effect<SendResult>('smtp-send', async (key) => {
      const messageId = `${key}@${MESSAGE_ID_DOMAIN}`;
      try {
        const { response } = await this.transport.send({
          from: this.from,
          to: req.to,
          ...rendered,
          messageId,
          headers: { 'X-Hookline-Event-Id': ctx.event.id, 'X-Hookline-Template': req.template },
        });
        return { status: 'sent', messageId, response: response.slice(0, 1000) };
      } catch (err) {
        const outcome = classifySmtpFailure(err);
        if (outcome.kind === 'retry') throw new Error(outcome.reason, { cause: err });
        return { status: 'rejected', messageId, code: outcome.code, response: outcome.response };
      }
    });
    const base = { requestId: ctx.event.id, template: req.template, to: req.to, messageId: result.messageId };
    if (result.status === 'sent') {
      ctx.publish(Topics.EmailsSent, 'email.sent', { ...base, response: result.response }, { purpose: 'sent' });
    } else {
      ctx.logger.warn('email refused by the SMTP server', { id: ctx.event.id, template: req.template, code: result.code });
      ctx.publish(Topics.EmailsFailed, 'email.failed', { ...base, smtpCode: result.code, response: result.response }, { purpose: 'failed' });
    }
  }
}
