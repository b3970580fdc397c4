import { runAgent } from '@app/common';
import { FulfillmentAgentModule } from './fulfillment-agent.module';

runAgent('fulfillment-agent', FulfillmentAgentModule, 3102);
