import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigError, EnvReader } from '@app/agent';
import { EmailsController } from './emails.controller';
import { MAIL_FROM, MAIL_TRANSPORT, SmtpTransport, type MailTransport } from './mail-transport';
import { SendEmail } from './send-email';

const env = new EnvReader();

/** SMTP_URL: smtp://[user:pass@]host:port or smtps://...; the password is never logged. */
export function smtpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('SMTP_URL must be a URL like smtp://127.0.0.1:1025 or smtps://user:pass@host:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError(`SMTP_URL must start with smtp:// or smtps://, got ${url.protocol}//`);
  if (!url.hostname) throw new ConfigError('SMTP_URL has no host');
  return url;
}

@Module({
  controllers: [EmailsController],
  providers: [
    SendEmail,
    { provide: MAIL_TRANSPORT, useFactory: () => new SmtpTransport(smtpUrl(env.string('SMTP_URL', 'smtp://127.0.0.1:1025')), env.int('SMTP_TIMEOUT_MS', 10_000, { min: 100 })) },
    { provide: MAIL_FROM, useFactory: () => env.string('MAIL_FROM', 'hookline <no-reply@hookline.dev>') },
  ],
})
export class MailerModule implements OnApplicationShutdown {
  constructor(@Inject(MAIL_TRANSPORT) private readonly transport: MailTransport) {}

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
