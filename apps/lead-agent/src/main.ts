import { requireNode24, runAgent } from '@app/common';
import { LeadAgentModule } from './lead-agent.module';

requireNode24();

// A person's lead memory (owner, count) is forgotten after a year without a new lead (STATE_TTL_DAYS).
runAgent('lead-agent', LeadAgentModule, 3101, { stateTtlDays: 365 });
