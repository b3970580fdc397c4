import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Order, ShipmentUpdate, Topics } from '@app/contracts';
import { type AgentContext } from '@app/agent';
import { FulfilOrder } from './fulfil-order';

@Controller()
export class OrdersController {
  constructor(private readonly fulfil: FulfilOrder) {}

  @EventPattern<string>(Topics.OrdersPlaced)
  async onOrderPlaced(@Payload() order: Order, @Ctx() ctx: AgentContext): Promise<void> {
    await this.fulfil.place(order, ctx);
  }

  @EventPattern<string>(Topics.ShipmentsUpdated)
  async onShipmentUpdated(@Payload() update: ShipmentUpdate, @Ctx() ctx: AgentContext): Promise<void> {
    await this.fulfil.track(update, ctx);
  }
}
