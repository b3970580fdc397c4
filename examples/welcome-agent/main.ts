import { Controller, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { LeadQualified, Topics } from '@app/contracts';
import { runAgent, type AgentContext } from '@app/agent';

@Controller()
class WelcomeController {
  @EventPattern<string>(Topics.LeadsQualified)            // payload already validated as LeadQualified
  async onQualified(@Payload() lead: LeadQualified, @Ctx() ctx: AgentContext): Promise<void> {
    const seen = ctx.state.get<number>() ?? 0;     // keyed state on the record key (the email)
    ctx.state.put(seen + 1);
    if (seen > 0) return;                          // only the first qualification of a person
    ctx.publish(Topics.EmailsRequested, 'email.requested', {
      template: 'welcome',
      to: lead.email,
      variables: { ownerEmail: lead.owner },
    }, { purpose: 'owner-note' });                // id = f(input id, purpose): stable across re-runs
  }
}

@Module({ controllers: [WelcomeController] })
class WelcomeAgentModule {}

runAgent('welcome-agent', WelcomeAgentModule, 3105);   // name → group, topics, transactional ids
