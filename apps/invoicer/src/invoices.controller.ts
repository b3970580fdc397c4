import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvoiceRequested, Topics } from '@app/contracts';
import { type AgentContext } from '@app/agent';
import { RaiseInvoice } from './raise-invoice';

@Controller()
export class InvoicesController {
  constructor(private readonly raise: RaiseInvoice) {}

  @EventPattern<string>(Topics.InvoicesRequested)
  async onInvoiceRequested(@Payload() req: InvoiceRequested, @Ctx() ctx: AgentContext): Promise<void> {
    await this.raise.execute(req, ctx);
  }
}
