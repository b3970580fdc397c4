import { Module } from '@nestjs/common';
import { EnvReader } from '@app/agent';
import { BILLING } from './billing.port';
import { HttpBilling } from './http-billing';
import { InvoicesController } from './invoices.controller';
import { RaiseInvoice } from './raise-invoice';

const env = new EnvReader();

@Module({
  controllers: [InvoicesController],
  providers: [RaiseInvoice, { provide: BILLING, useFactory: () => new HttpBilling(env.url('BILLING_URL', 'http://127.0.0.1:3201'), env.int('BILLING_TIMEOUT_MS', 5000, { min: 100 })) }],
})
export class InvoicerModule {}
