import { ConfigError, EnvReader } from '@app/common';
import { createVerifier, SCHEME_PRESETS } from '@app/webhooks';

export const SECRET_VARIABLE = 'WEBHOOK_SECRET_LOGISTICS';

/** How shipment events reach subscribers: timing, duplicates and retries. */
export interface DeliveryConfig {
  /** Standard Webhooks secret (whsec_ + base64) the events are signed with. */
  secret: string;
  /** From the first subscription to `shipment.shipped`. */
  shipDelayMs: number;
  /** From `shipment.shipped` to `shipment.delivered`. */
  deliverDelayMs: number;
  /** Extra copies of each successfully delivered message, as providers send on their own retries. */
  duplicates: number;
  /** Wait before the first retry; doubles after each failure, capped at RETRY_MAX_DELAY_MS. */
  retryInitialMs: number;
  /** Attempts per message in total (the first one included) before giving up. */
  retryMaxAttempts: number;
  /** Per-request timeout. */
  requestTimeoutMs: number;
}

export interface CarrierConfig {
  port: number;
  host: string;
  delivery: DeliveryConfig;
}

export const RETRY_MAX_DELAY_MS = 30_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Reads and checks every setting at start-up; a bad value stops the process with the variable's name. */
export function carrierConfigFromEnv(env = new EnvReader()): CarrierConfig {
  return {
    port: env.port('PORT', 3200),
    host: env.string('HOST', '0.0.0.0'),
    delivery: {
      secret: signingSecret(env),
      shipDelayMs: env.int('SHIP_DELAY_MS', 1000, { min: 0, max: DAY_MS }),
      deliverDelayMs: env.int('DELIVER_DELAY_MS', 2000, { min: 0, max: DAY_MS }),
      duplicates: env.int('DUPLICATE_DELIVERIES', 0, { min: 0, max: 100 }),
      retryInitialMs: env.int('RETRY_INITIAL_MS', 500, { min: 1, max: RETRY_MAX_DELAY_MS }),
      retryMaxAttempts: env.int('RETRY_MAX_ATTEMPTS', 10, { min: 1, max: 100 }),
      requestTimeoutMs: 5000,
    },
  };
}

/** The first secret of a comma-separated list (the ingress accepts several during rotation; we sign with one). */
function signingSecret(env: EnvReader): string {
  const secret = env.list(SECRET_VARIABLE)[0];
  if (secret === undefined) throw new ConfigError(`${SECRET_VARIABLE} is required (a Standard Webhooks secret: whsec_ + base64)`);
  try {
    createVerifier(SCHEME_PRESETS.standardWebhooks, [secret]);
  } catch (e) {
    // The library's message names the secret by position only, never its value.
    throw new ConfigError(`${SECRET_VARIABLE}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return secret;
}
