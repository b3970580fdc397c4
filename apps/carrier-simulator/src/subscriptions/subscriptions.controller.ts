import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CarrierService } from '../carrier.service';
import { respond } from '../http/respond';

@Controller('v1/webhook-subscriptions')
export class SubscriptionsController {
  constructor(private readonly carrier: CarrierService) {}

  @Post()
  create(@Headers('idempotency-key') key: string | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return respond(reply, this.carrier.subscribe(key, body));
  }
}
