import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEmail,
  IsInt,
  IsISO31661Alpha2,
  IsISO4217CurrencyCode,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/** Money travels as a decimal string ("19.99"), never a float. */
export const DECIMAL = /^\d{1,12}(\.\d{1,4})?$/;

export class OrderLine {
  @IsString() @MaxLength(100) sku!: string;
  @IsString() @MaxLength(300) title!: string;
  @IsInt() @Min(1) quantity!: number;
  @Matches(DECIMAL) unitPrice!: string;
}

export class Customer {
  @IsEmail() email!: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
}

export class Address {
  @IsString() @MaxLength(200) name!: string;
  @IsString() @MaxLength(300) line1!: string;
  @IsOptional() @IsString() @MaxLength(300) line2?: string;
  @IsString() @MaxLength(100) city!: string;
  @IsString() @MaxLength(20) postalCode!: string;
  @IsISO31661Alpha2() country!: string;
}

/** A placed shop order, as the ingress normalizes it onto `orders.placed`. Keyed by order id. */
export class Order {
  @IsString() @MaxLength(100) orderId!: string;
  @ValidateNested() @Type(() => Customer) customer!: Customer;
  @IsISO4217CurrencyCode() currency!: string;
  @Matches(DECIMAL) total!: string;
  @ValidateNested({ each: true }) @Type(() => OrderLine) @ArrayMinSize(1) @ArrayMaxSize(500) lines!: OrderLine[];
  @ValidateNested() @Type(() => Address) shippingAddress!: Address;
}
