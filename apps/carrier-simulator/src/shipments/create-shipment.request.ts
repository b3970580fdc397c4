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
}
