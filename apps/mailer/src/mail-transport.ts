import { createTransport, type Transporter } from 'nodemailer';

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Without angle brackets; the transport adds them. */
  messageId: string;
  headers: Record<string, string>;
}

/** The SMTP side, as the mailer's use case sees it. Throws nodemailer's errors (code, responseCode, command). */
export interface MailTransport {
  send(email: OutgoingEmail): Promise<{ response: string }>;
  close(): void;
}

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
export const MAIL_FROM = Symbol('MAIL_FROM');

/** nodemailer over SMTP_URL (smtp:// or smtps://, credentials in the URL), pooled connections. */
export class SmtpTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(url: URL, timeoutMs: number) {
    this.transporter = createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      pool: true,
      maxConnections: 5,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // Local development servers (Mailpit) speak plain SMTP; a server that offers STARTTLS still gets it.
      ignoreTLS: false,
    });
  }

  async send(email: OutgoingEmail): Promise<{ response: string }> {
    const info = (await this.transporter.sendMail({ ...email, messageId: `<${email.messageId}>` })) as { response?: unknown };
    return { response: typeof info.response === 'string' ? info.response : '' };
  }

  close(): void {
    this.transporter.close();
  }
}
