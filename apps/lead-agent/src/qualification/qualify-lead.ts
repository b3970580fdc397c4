import { Inject, Injectable } from '@nestjs/common';
import { normalizeEmail, Topics, type Lead } from '@app/contracts';
import { type AgentContext } from '@app/agent';
import { assignRep, ROSTER, type Rep } from './assignment';
import { LEAD_ENRICHER, type LeadEnricher } from './enrichment';
import { scoreLead } from './scoring';

export const QUALIFY_THRESHOLD = Symbol('QUALIFY_THRESHOLD');

interface LeadMemory {
  firstSeen: string;
  leads: number;
  owner?: string;
}

const ROUND_ROBIN_KEY = '__round_robin__';

/** Qualifies a new lead, assigns an owner and publishes the follow-ups. */
@Injectable()
export class QualifyLead {
  constructor(
    @Inject(LEAD_ENRICHER) private readonly enricher: LeadEnricher,
    @Inject(ROSTER) private readonly roster: Rep[],
    @Inject(QUALIFY_THRESHOLD) private readonly threshold: number,
  ) {}

  async execute(lead: Lead, ctx: AgentContext): Promise<void> {
    const email = normalizeEmail(lead.email);
    const memory = ctx.state.get<LeadMemory>(email);
    // An effect: a paid data provider is asked once per lead, and a retry or redrive reuses its answer.
    const enrichment = await ctx.effect('enrichment', () => this.enricher.enrich(email));
    const { score, reasons, qualified } = scoreLead(lead, enrichment, memory !== undefined, this.threshold);
    if (!qualified) {
      ctx.publish(Topics.LeadsDisqualified, 'lead.disqualified', { email, crmId: lead.crmId, score, reasons }, { key: email });
      ctx.state.put<LeadMemory>({ firstSeen: memory?.firstSeen ?? ctx.event.time, leads: (memory?.leads ?? 0) + 1, owner: memory?.owner }, email);
      return;
    }
    // A returning lead keeps its owner; a new one goes to its territory's rep, or round-robin.
    let owner = memory?.owner ? this.roster.find((r) => r.email === memory.owner) : undefined;
    if (!owner) {
      const counter = ctx.state.get<number>(ROUND_ROBIN_KEY) ?? 0;
      owner = assignRep(this.roster, lead.country, counter);
      ctx.state.put(counter + 1, ROUND_ROBIN_KEY);
    }
    ctx.publish(
      Topics.LeadsQualified,
      'lead.qualified',
      { email, crmId: lead.crmId, score, reasons, owner: owner.email, returning: memory !== undefined },
      { key: email },
    );
    ctx.publish(
      Topics.EmailsRequested,
      'email.requested',
      { template: 'welcome', to: email, variables: { firstName: lead.firstName ?? '', ownerName: owner.name, ownerEmail: owner.email } },
      { key: email, purpose: 'welcome-email' },
    );
    ctx.state.put<LeadMemory>({ firstSeen: memory?.firstSeen ?? ctx.event.time, leads: (memory?.leads ?? 0) + 1, owner: owner.email }, email);
  }
}
