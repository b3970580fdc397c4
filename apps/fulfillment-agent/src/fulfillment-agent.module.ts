import { Module } from '@nestjs/common';
import { EnvReader } from '@app/agent';
import { CARRIER, CARRIER_CALLBACK_URL } from './carrier/carrier.port';
import { HttpCarrier } from './carrier/http-carrier';
import { FulfilOrder } from './orders/fulfil-order';
import { OrdersController } from './orders/orders.controller';

const env = new EnvReader();

@Module({
  controllers: [OrdersController],
  providers: [
    FulfilOrder,
    { provide: CARRIER, useFactory: () => new HttpCarrier(env.url('CARRIER_URL', 'http://127.0.0.1:3200'), env.int('CARRIER_TIMEOUT_MS', 5000, { min: 100 })) },
    { provide: CARRIER_CALLBACK_URL, useFactory: () => env.url('CARRIER_CALLBACK_URL', 'http://127.0.0.1:3000/webhooks/logistics') },
  ],
})
export class FulfillmentAgentModule {}
