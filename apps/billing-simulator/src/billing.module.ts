import { Module, type DynamicModule } from '@nestjs/common';
import { JsonLogger } from '@app/common';
import { BillingService } from './billing.service';
import { HealthController } from './http/health.controller';
import { InvoicesController } from './invoices/invoices.controller';

export interface BillingDeps {
  logger: JsonLogger;
  now?: () => number;
}

@Module({})
export class BillingModule {
  static register(deps: BillingDeps): DynamicModule {
    return {
      module: BillingModule,
      controllers: [HealthController, InvoicesController],
      providers: [
        { provide: JsonLogger, useValue: deps.logger },
        { provide: BillingService, useFactory: () => new BillingService(undefined, undefined, deps.now) },
      ],
    };
  }
}
