import type { HmacSchemeConfig, SchemeConfig } from './types';

/**
 * Known providers. Frozen because these objects are shared by every importer:
 * one caller mutating a preset must not change another's verification.
 */
export const SCHEME_PRESETS: {
  crm: HmacSchemeConfig;
  shopify: HmacSchemeConfig;
  github: HmacSchemeConfig;
  slack: HmacSchemeConfig;
  stripe: SchemeConfig;
  standardWebhooks: SchemeConfig;
} = Object.freeze({
  // Our CRM: lower-case hex HMAC-SHA256 of the body, no prefix.
  crm: Object.freeze({ type: 'hmac', header: 'x-crm-signature', algorithm: 'sha256', encoding: 'hex' }),
  // https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
  shopify: Object.freeze({
    type: 'hmac',
    header: 'x-shopify-hmac-sha256',
    algorithm: 'sha256',
    encoding: 'base64',
  }),
  // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
  github: Object.freeze({
    type: 'hmac',
    header: 'x-hub-signature-256',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
  }),
  // https://api.slack.com/authentication/verifying-requests-from-slack
  slack: Object.freeze({
    type: 'hmac',
    header: 'x-slack-signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'v0=',
    timestampHeader: 'x-slack-request-timestamp',
    toleranceSeconds: 300,
    signedContent: 'v0:{timestamp}:{body}',
  }),
  stripe: Object.freeze({ type: 'stripe', toleranceSeconds: 300 }),
  standardWebhooks: Object.freeze({ type: 'standard-webhooks', toleranceSeconds: 300 }),
});
