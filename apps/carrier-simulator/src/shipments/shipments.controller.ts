import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CarrierService } from '../carrier.service';
import { respond } from '../http/respond';

@Controller('v1/shipments')
export class ShipmentsController {
  constructor(private readonly carrier: CarrierService) {}

  @Post()
  create(@Headers('idempotency-key') key: string | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return respond(reply, this.carrier.createShipment(key, body));
  }

  /** The shipment with its subscriptions and every delivery attempt: for debugging a subscriber. */
  @Get(':id')
  get(@Param('id') id: string) {
    return this.carrier.getShipment(id);
  }
}
