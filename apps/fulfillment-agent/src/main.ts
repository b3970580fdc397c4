import { runAgent } from '@app/agent';
import { FulfillmentAgentModule } from './fulfillment-agent.module';

runAgent('fulfillment-agent', FulfillmentAgentModule, 3102);
