import { IsNotEmpty, IsString, IsUrl, MaxLength } from 'class-validator';

/** POST /v1/webhook-subscriptions */
export class CreateSubscriptionRequest {
  // No TLD required: subscribers are often localhost, an IP or a compose service name.
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }) @MaxLength(2048) url!: string;
  @IsString() @IsNotEmpty() @MaxLength(100) shipmentId!: string;
}
