import { runAgent } from '@app/agent';
import { InvoicerModule } from './invoicer.module';

runAgent('invoicer', InvoicerModule, 3104);
