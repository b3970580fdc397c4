import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { EmailRequested, Topics } from '@app/contracts';
import { type AgentContext } from '@app/agent';
import { SendEmail } from './send-email';

@Controller()
export class EmailsController {
  constructor(private readonly sendEmail: SendEmail) {}

  @EventPattern<string>(Topics.EmailsRequested)
  async onEmailRequested(@Payload() req: EmailRequested, @Ctx() ctx: AgentContext): Promise<void> {
    await this.sendEmail.execute(req, ctx);
  }
}
