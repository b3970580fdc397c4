import { Module, type DynamicModule } from '@nestjs/common';
import { JsonLogger } from '@app/common';
import { CarrierService } from './carrier.service';
import type { DeliveryConfig } from './config';
import type { HttpSend } from './delivery/http-send';
import { WebhookDispatcher } from './delivery/webhook-dispatcher';
import { HealthController } from './http/health.controller';
import { ShipmentsController } from './shipments/shipments.controller';
import { ShipmentStore } from './shipments/shipment-store';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';

export interface CarrierDeps {
  delivery: DeliveryConfig;
  logger: JsonLogger;
  /** Replaces fetch (tests); defaults to Node's fetch. */
  send?: HttpSend;
  now?: () => number;
}

@Module({})
export class CarrierModule {
  static register(deps: CarrierDeps): DynamicModule {
    const store = new ShipmentStore();
    const dispatcher = new WebhookDispatcher(deps.delivery, store, deps.logger, deps.send, deps.now);
    return {
      module: CarrierModule,
      controllers: [HealthController, ShipmentsController, SubscriptionsController],
      providers: [
        { provide: JsonLogger, useValue: deps.logger },
        { provide: ShipmentStore, useValue: store },
        // A factory (not useValue) so Nest calls its onModuleDestroy when the app closes.
        { provide: WebhookDispatcher, useFactory: () => dispatcher },
        { provide: CarrierService, useFactory: () => new CarrierService(store, dispatcher, deps.now) },
      ],
    };
  }
}
