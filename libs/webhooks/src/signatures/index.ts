/** Webhook signature verification: the only entry point of this folder. */
export type {
  HeaderValue,
  Headers,
  VerifyFailure,
  VerifyInput,
  VerifyResult,
  SignatureVerifier,
  HmacAlgorithm,
  SignatureEncoding,
  HmacSchemeConfig,
  SchemeConfig,
} from './types';
export { SCHEME_PRESETS } from './presets';
export { createVerifier, signRequest } from './factory';
export { checkSchemeConfig, SchemeConfigError } from './scheme-config';
export { schemeTraits, type SchemeTraits } from './traits';
