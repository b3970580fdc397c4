/** Public types of the signature-verification library. */

export type HeaderValue = string | string[] | undefined;
/** Header names are lower-case (as Node/Fastify give them). A string[] means the header appeared more than once. */
export type Headers = Readonly<Record<string, HeaderValue>>;

export type VerifyFailure =
  | 'missing_signature' // signature header absent or empty
  | 'malformed_signature' // wrong prefix, wrong length, wrong alphabet, unparsable structure, duplicated header
  | 'signature_mismatch' // well-formed but no configured secret matches
  | 'missing_timestamp' // scheme needs a timestamp header/field and it is absent
  | 'malformed_timestamp' // not a plain integer of seconds
  | 'stale_timestamp'; // outside the tolerance, in the past OR in the future

export interface VerifyInput {
  rawBody: Buffer;
  headers: Headers;
  nowMs: number;
}
export type VerifyResult = { ok: true; timestamp?: number } | { ok: false; reason: VerifyFailure };
export interface SignatureVerifier {
  readonly scheme: string;
  verify(input: VerifyInput): VerifyResult;
}

export type HmacAlgorithm = 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

/** A generic HMAC scheme: a new provider is configuration, not code. */
export interface HmacSchemeConfig {
  type: 'hmac';
  /** Signature header name (any case in config; compared lower-case). */
  header: string;
  algorithm: HmacAlgorithm;
  encoding: SignatureEncoding;
  /** e.g. 'sha256=' or 'v0='; required on the header value when set. */
  prefix?: string;
  /** When set, a timestamp (unix seconds) is required and checked against the tolerance. */
  timestampHeader?: string;
  /** Default 300. */
  toleranceSeconds?: number;
  /** Template over {body} and {timestamp}; default '{body}' (e.g. 'v0:{timestamp}:{body}'). */
  signedContent?: string;
}

export type SchemeConfig =
  | HmacSchemeConfig
  | { type: 'stripe'; toleranceSeconds?: number }
  | { type: 'standard-webhooks'; toleranceSeconds?: number }
  | { type: 'none' };

/** Internal: a parse step either yields a value or the failure to report. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: VerifyFailure };
