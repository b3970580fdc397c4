import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsISO31661Alpha2,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** The same field names as the orders contract's Address, so an order's address can be passed as is. */
export class ShipmentAddress {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @IsString() @IsNotEmpty() @MaxLength(300) line1!: string;
  @IsOptional() @IsString() @MaxLength(300) line2?: string;
  @IsString() @IsNotEmpty() @MaxLength(100) city!: string;
  @IsString() @IsNotEmpty() @MaxLength(20) postalCode!: string;
  @IsISO31661Alpha2() country!: string;
}

/** Other fields of a line (title, price, ...) are accepted and dropped. */
export class ShipmentLine {
  @IsString() @MaxLength(100) sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

/** POST /v1/shipments */
export class CreateShipmentRequest {
  @IsString() @IsNotEmpty() @MaxLength(100) orderId!: string;
  @IsObject() @ValidateNested() @Type(() => ShipmentAddress) address!: ShipmentAddress;
  @IsOptional() @IsArray() @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => ShipmentLine) lines?: ShipmentLine[];
  /**
   * The client's own reference, echoed in every webhook of the shipment as `data.reference` (carriers call
   * it a client reference or metadata): printable ASCII, at most 200 characters.
   */
  @IsOptional() @IsString() @Matches(/^[\x21-\x7e][\x20-\x7e]*$/, { message: 'reference must be printable ASCII' }) @MaxLength(200) reference?: string;
}
