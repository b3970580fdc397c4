import { runAgent } from '@app/agent';
import { MailerModule } from './mailer.module';

runAgent('mailer', MailerModule, 3103);
