import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsEmail, IsInt, IsISO4217CurrencyCode, IsOptional, IsString, Matches, MaxLength, Min, ValidateNested } from 'class-validator';

/** An amount as a decimal string ("19.99"), never a float. */
export const AMOUNT = /^\d{1,12}(\.\d{1,4})?$/;

export class InvoiceCustomer {
  @IsEmail() email!: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
}

export class InvoiceLineRequest {
  @IsString() @MaxLength(300) description!: string;
  @IsInt() @Min(1) quantity!: number;
  @Matches(AMOUNT) unitAmount!: string;
}

export class CreateInvoiceRequest {
  @ValidateNested() @Type(() => InvoiceCustomer) customer!: InvoiceCustomer;
  @IsISO4217CurrencyCode() currency!: string;
  @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => InvoiceLineRequest) lines!: InvoiceLineRequest[];
  /** Free-form reference (the order id); shown on the invoice, not used for idempotency. */
  @IsOptional() @IsString() @MaxLength(200) reference?: string;
}
