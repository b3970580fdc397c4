import { runAgent } from '@app/common';
import { LeadAgentModule } from './lead-agent.module';

runAgent('lead-agent', LeadAgentModule, 3101);
