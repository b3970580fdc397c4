/**
 * What an SMTP failure means for the email, in one table (tested in test/unit/mailer):
 *
 * | failure                                                        | outcome   | what the mailer does                                   |
 * | -------------------------------------------------------------- | --------- | ------------------------------------------------------ |
 * | 5xx reply to MAIL FROM, RCPT TO or DATA (a bounce at the door)  | `reject`  | publishes `emails.failed`; never retried               |
 * | 4xx reply to any command (greylisting, mailbox busy, rate limit)| `retry`   | the attempt fails: retry topic, dead letter when spent |
 * | 5xx reply to AUTH, or EAUTH (credentials: the mailer's setup)    | `retry`   | dead letter when spent; fix SMTP_URL and redrive        |
 * | connection refused, timeout, TLS or socket error               | `retry`   | as above                                               |
 * | anything else                                                  | `retry`   | as above                                               |
 *
 * A bounce that arrives later as a delivery status notification (DSN) is not seen: Mailpit and a relay
 * accept first; the mailer reports what the SMTP server it talks to answered.
 */
export type SmtpOutcome = { kind: 'reject'; code: number; response: string } | { kind: 'retry'; reason: string };

interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

const MESSAGE_COMMANDS = /^(MAIL FROM|RCPT TO|DATA)\b/i;

export function classifySmtpFailure(err: unknown): SmtpOutcome {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorLike;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const response = String(e.response ?? e.message ?? err).slice(0, 1000);
  const command = typeof e.command === 'string' ? e.command : '';
  if (code !== undefined && code >= 500 && code < 600 && e.code !== 'EAUTH' && (MESSAGE_COMMANDS.test(command) || e.code === 'EENVELOPE' || e.code === 'EMESSAGE')) {
    return { kind: 'reject', code, response };
  }
  if (code !== undefined && code >= 400 && code < 500) return { kind: 'retry', reason: `SMTP ${code} (temporary): ${response}` };
  if (e.code === 'EAUTH') return { kind: 'retry', reason: `SMTP authentication failed (check SMTP_URL): ${response}` };
  const what = typeof e.code === 'string' ? e.code : 'error';
  return { kind: 'retry', reason: `SMTP ${what}: ${response}` };
}
