import { compileHmacScheme, signHmac, verifyHmac } from './hmac-scheme';
import { secretKey, secretKeys } from './secrets';
import { signStandardWebhook, verifyStandardWebhook } from './standard-webhooks-scheme';
import { signStripe, verifyStripe } from './stripe-scheme';
import { checkTolerance } from './scheme-config';
import type { SchemeConfig, SignatureVerifier, VerifyInput, VerifyResult } from './types';

type SignedSchemeConfig = Exclude<SchemeConfig, { type: 'none' }>;

/** One scheme with its config already validated; keys are supplied per call. */
interface Scheme {
  verify(keys: readonly Buffer[], input: VerifyInput): VerifyResult;
  sign(key: Buffer, rawBody: Buffer, nowMs: number, id: string | undefined): Record<string, string>;
}

function compileScheme(config: SignedSchemeConfig): Scheme {
  switch (config.type) {
    case 'hmac': {
      const scheme = compileHmacScheme(config);
      return {
        verify: (keys, input) => verifyHmac(scheme, keys, input),
        sign: (key, rawBody, nowMs) => signHmac(scheme, key, rawBody, nowMs),
      };
    }
    case 'stripe': {
      const tolerance = checkTolerance(config.toleranceSeconds);
      return {
        verify: (keys, input) => verifyStripe(tolerance, keys, input),
        sign: (key, rawBody, nowMs) => signStripe(key, rawBody, nowMs),
      };
    }
    case 'standard-webhooks': {
      const tolerance = checkTolerance(config.toleranceSeconds);
      return {
        verify: (keys, input) => verifyStandardWebhook(tolerance, keys, input),
        sign: (key, rawBody, nowMs, id) => signStandardWebhook(key, rawBody, nowMs, requireId(id)),
      };
    }
    default:
      throw new Error(`unknown signature scheme type '${String((config as { type?: unknown }).type)}'`);
  }
}

function requireId(id: string | undefined): string {
  if (typeof id !== 'string' || id === '') throw new Error("standard-webhooks signing needs opts.id (the webhook-id)");
  return id;
}

/**
 * The parsers are written not to throw, but verify() sits on the request path of
 * hostile traffic: if something unforeseen does throw (say, a caller passing a
 * non-Buffer body from JavaScript), fail closed with a rejection, never a 500.
 */
function failClosed(scheme: string, verify: (input: VerifyInput) => VerifyResult): SignatureVerifier {
  return Object.freeze({
    scheme,
    verify(input: VerifyInput): VerifyResult {
      try {
        return verify(input);
      } catch {
        return { ok: false, reason: 'malformed_signature' };
      }
    },
  });
}

/** For sources that are authenticated some other way (mTLS, private network) or not at all. */
const NONE_VERIFIER: SignatureVerifier = Object.freeze({ scheme: 'none', verify: (): VerifyResult => ({ ok: true }) });

/**
 * secrets: every currently valid secret (rotation). Throws Error with a clear message if secrets is
 * empty for a scheme other than 'none', or a standard-webhooks secret is not valid base64 after an
 * optional 'whsec_' prefix.
 */
export function createVerifier(config: SchemeConfig, secrets: string[]): SignatureVerifier {
  if (config.type === 'none') return NONE_VERIFIER;
  const scheme = compileScheme(config);
  const keys = secretKeys(config.type, secrets);
  return failClosed(config.type, (input) => scheme.verify(keys, input));
}

/**
 * Produces the headers a provider would send for rawBody signed with secret at time nowMs (used by
 * tests, the CLI tool that sends test webhooks, and a carrier simulator). For 'standard-webhooks'
 * also needs an id: pass opts.id (becomes the webhook-id header). Returns lower-case header names.
 * For 'none' returns {}.
 */
export function signRequest(
  config: SchemeConfig,
  secret: string,
  rawBody: Buffer,
  nowMs: number,
  opts: { id?: string } = {},
): Record<string, string> {
  if (config.type === 'none') return {};
  const scheme = compileScheme(config);
  return scheme.sign(secretKey(config.type, secret), rawBody, nowMs, opts.id);
}
