import { Module } from '@nestjs/common';
import { ConfigError, EnvReader } from '@app/agent';
import { BILLING } from './billing.port';
import { HttpBilling } from './http-billing';
import { InvoicesController } from './invoices.controller';
import { RaiseInvoice } from './raise-invoice';

const env = new EnvReader();

function url(name: string, fallback: string): string {
  const value = env.string(name, fallback);
  try {
    return new URL(value).toString();
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${value}"`);
  }
}

@Module({
  controllers: [InvoicesController],
  providers: [RaiseInvoice, { provide: BILLING, useFactory: () => new HttpBilling(url('BILLING_URL', 'http://127.0.0.1:3201'), env.int('BILLING_TIMEOUT_MS', 5000, { min: 100 })) }],
})
export class InvoicerModule {}
