import { requireNode24, runAgent } from '@app/common';
import { FulfillmentAgentModule } from './fulfillment-agent.module';

requireNode24();

runAgent('fulfillment-agent', FulfillmentAgentModule, 3102);
