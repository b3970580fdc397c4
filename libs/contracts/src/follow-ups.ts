import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsISO4217CurrencyCode,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Customer, DECIMAL, OrderLine } from './order';

export class LeadQualified {
  @IsEmail() email!: string;
  @IsString() crmId!: string;
  @IsInt() @Min(0) @Max(100) score!: number;
  @IsArray() @IsString({ each: true }) reasons!: string[];
  @IsString() owner!: string;
  @IsBoolean() returning!: boolean;
}

export class LeadDisqualified {
  @IsEmail() email!: string;
  @IsString() crmId!: string;
  @IsInt() @Min(0) @Max(100) score!: number;
  @IsArray() @IsString({ each: true }) reasons!: string[];
}

export const EMAIL_TEMPLATES = ['welcome', 'shipping-confirmation'] as const;

export class EmailRequested {
  @IsIn(EMAIL_TEMPLATES) template!: (typeof EMAIL_TEMPLATES)[number];
  @IsEmail() to!: string;
  @IsObject() variables!: Record<string, string>;
}

/** An email the SMTP server accepted. `messageId` derives from the request's event id. */
export class EmailSent {
  @IsString() @MaxLength(300) requestId!: string;
  @IsIn(EMAIL_TEMPLATES) template!: (typeof EMAIL_TEMPLATES)[number];
  @IsEmail() to!: string;
  @IsString() @MaxLength(300) messageId!: string;
  @IsString() @MaxLength(1000) response!: string;
}

/** An email the SMTP server refused for good: a 5xx reply (bounced at the door), never retried. */
export class EmailFailed {
  @IsString() @MaxLength(300) requestId!: string;
  @IsIn(EMAIL_TEMPLATES) template!: (typeof EMAIL_TEMPLATES)[number];
  @IsEmail() to!: string;
  @IsString() @MaxLength(300) messageId!: string;
  @IsInt() @Min(500) @Max(599) smtpCode!: number;
  @IsString() @MaxLength(1000) response!: string;
}

export class InvoiceRequested {
  @IsString() orderId!: string;
  @ValidateNested({ each: true }) @Type(() => OrderLine) lines!: OrderLine[];
  @Matches(DECIMAL) total!: string;
  @IsISO4217CurrencyCode() currency!: string;
  @ValidateNested() @Type(() => Customer) customer!: Customer;
}

export const ORDER_STATUSES = ['placed', 'dispatched', 'in_transit', 'shipped', 'delivered', 'exception'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderStatusChanged {
  @IsString() orderId!: string;
  @IsOptional() @IsIn(ORDER_STATUSES) from?: OrderStatus;
  @IsIn(ORDER_STATUSES) to!: OrderStatus;
  @IsISO8601() at!: string;
  @IsOptional() @IsString() @MaxLength(100) trackingNumber?: string;
}

/** An invoice the billing API raised for an order (once per order: the request's idempotency key). */
export class InvoiceCreated {
  @IsString() orderId!: string;
  @IsString() @MaxLength(100) invoiceId!: string;
  @IsString() @MaxLength(100) number!: string;
  @Matches(DECIMAL) total!: string;
  @IsISO4217CurrencyCode() currency!: string;
  @IsEmail() customerEmail!: string;
  @IsISO8601() createdAt!: string;
}
