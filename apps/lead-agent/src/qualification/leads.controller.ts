import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Lead, Topics } from '@app/contracts';
import { type AgentContext } from '@app/agent';
import { QualifyLead } from './qualify-lead';

@Controller()
export class LeadsController {
  constructor(private readonly qualify: QualifyLead) {}

  /** The runtime has validated the payload as a Lead and skipped duplicates before this runs. */
  @EventPattern<string>(Topics.LeadsCreated)
  async onLeadCreated(@Payload() lead: Lead, @Ctx() ctx: AgentContext): Promise<void> {
    await this.qualify.execute(lead, ctx);
  }
}
