import { runAgent } from '@app/agent';
import { LeadAgentModule } from './lead-agent.module';

// A person's lead memory (owner, count) is forgotten after a year without a new lead (STATE_TTL_DAYS).
runAgent('lead-agent', LeadAgentModule, 3101, { stateTtlDays: 365 });
