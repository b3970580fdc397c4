import { IsIn, IsInt, IsISO8601, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export const SHIPMENT_STATUSES = ['in_transit', 'shipped', 'delivered', 'exception'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** A carrier's shipment event, as the ingress normalizes it onto `shipments.updated`. Keyed by order id. */
export class ShipmentUpdate {
  @IsString() @MaxLength(100) orderId!: string;
  @IsString() @MaxLength(100) shipmentId!: string;
  @IsIn(SHIPMENT_STATUSES) status!: ShipmentStatus;
  @IsOptional() @IsString() @MaxLength(100) trackingNumber?: string;
  @IsISO8601() occurredAt!: string;
  /** The carrier's per-shipment sequence number, when it sends one; orders updates that arrive out of order. */
  @IsOptional() @IsInt() @Min(0) sequence?: number;
  @IsOptional() @IsString() @MaxLength(500) detail?: string;
}
