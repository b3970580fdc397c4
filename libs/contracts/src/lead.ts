import { IsEmail, IsInt, IsISO31661Alpha2, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** A new CRM lead, as the ingress normalizes it onto `leads.created`. Keyed by normalized email. */
export class Lead {
  @IsString() @MaxLength(200) crmId!: string;
  @IsEmail() @MaxLength(320) email!: string;
  @IsOptional() @IsString() @MaxLength(200) firstName?: string;
  @IsOptional() @IsString() @MaxLength(200) lastName?: string;
  @IsOptional() @IsString() @MaxLength(200) company?: string;
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) companySize?: number;
  @IsOptional() @IsString() @MaxLength(200) title?: string;
  @IsOptional() @IsISO31661Alpha2() country?: string;
  @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @IsOptional() @IsString() @MaxLength(100) source?: string;
}

/** Lower-cased, trimmed; the key that keeps one person's leads in order and together. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
