import { Body, Controller, Get, Header, Headers, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { BillingService } from '../billing.service';
import { invoicesPage } from './invoices-page';

@Controller()
export class InvoicesController {
  constructor(private readonly billing: BillingService) {}

  @Post('v1/invoices')
  create(@Headers('idempotency-key') key: string | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const outcome = this.billing.createInvoice(key, body);
    void reply.status(outcome.status);
    if (outcome.replayed) void reply.header('idempotent-replayed', 'true');
    return outcome.body;
  }

  @Get('v1/invoices')
  list() {
    const data = this.billing.store.list();
    return { count: data.length, data };
  }

  @Get('v1/invoices/:id')
  get(@Param('id') id: string) {
    return this.billing.getInvoice(id);
  }

  @Get('invoices')
  @Header('content-type', 'text/html; charset=utf-8')
  page() {
    return invoicesPage(this.billing.store.list());
  }
}
