import type { SchemeConfig, SignatureEncoding } from './types';

/** What a scheme's requests look like from outside: where the signature travels and how it is written. */
export interface SchemeTraits {
  /** The header that carries the signature. */
  signatureHeader: string;
  /** Every header that carries the signature or its timestamp (removed from quarantined copies). */
  headers: string[];
  /** The text before the digest inside the signature header ('' when the value is the digest). */
  digestMarker: string;
  encoding: SignatureEncoding;
  /** Whether the signature covers a timestamp checked against a tolerance. */
  timestamped: boolean;
}

/** The traits of a signed scheme; undefined for 'none'. */
export function schemeTraits(config: SchemeConfig): SchemeTraits | undefined {
  switch (config.type) {
    case 'hmac': {
      const header = config.header.toLowerCase();
      const timestampHeader = config.timestampHeader?.toLowerCase();
      return {
        signatureHeader: header,
        headers: timestampHeader ? [header, timestampHeader] : [header],
        digestMarker: config.prefix ?? '',
        encoding: config.encoding,
        timestamped: timestampHeader !== undefined,
      };
    }
    case 'stripe':
      return { signatureHeader: 'stripe-signature', headers: ['stripe-signature'], digestMarker: 'v1=', encoding: 'hex', timestamped: true };
    case 'standard-webhooks':
      return { signatureHeader: 'webhook-signature', headers: ['webhook-signature'], digestMarker: 'v1,', encoding: 'base64', timestamped: true };
    case 'none':
      return undefined;
  }
}
