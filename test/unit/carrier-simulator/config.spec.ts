import { ConfigError, EnvReader } from '@app/common';
import { carrierConfigFromEnv } from '../../../apps/carrier-simulator/src/config';
import { SECRET } from './support';

const config = (vars: Record<string, string>) => carrierConfigFromEnv(new EnvReader(vars));

describe('carrierConfigFromEnv', () => {
  it('applies the documented defaults', () => {
    expect(config({ WEBHOOK_SECRET_LOGISTICS: SECRET })).toEqual({
      port: 3200,
      host: '0.0.0.0',
      delivery: { secret: SECRET, shipDelayMs: 1000, deliverDelayMs: 2000, duplicates: 0, retryInitialMs: 500, retryMaxAttempts: 10, requestTimeoutMs: 5000 },
    });
  });

  it('signs with the first secret of a comma-separated list', () => {
    expect(config({ WEBHOOK_SECRET_LOGISTICS: `${SECRET}, whsec_b3RoZXI=` }).delivery.secret).toBe(SECRET);
  });

  it('requires the signing secret, naming the variable', () => {
    expect(() => config({})).toThrow(new ConfigError('WEBHOOK_SECRET_LOGISTICS is required (a Standard Webhooks secret: whsec_ + base64)'));
  });

  it('refuses a secret that is not base64 without echoing it', () => {
    const run = () => config({ WEBHOOK_SECRET_LOGISTICS: 'whsec_not base64!' });
    expect(run).toThrow(/^WEBHOOK_SECRET_LOGISTICS: .*not valid base64/);
    expect(run).not.toThrow(/not base64!/);
  });

  it.each([
    ['SHIP_DELAY_MS', 'soon', /SHIP_DELAY_MS must be a whole number, got "soon"/],
    ['DUPLICATE_DELIVERIES', '-1', /DUPLICATE_DELIVERIES must be between 0 and 100/],
    ['RETRY_MAX_ATTEMPTS', '0', /RETRY_MAX_ATTEMPTS must be between 1 and 100/],
    ['RETRY_INITIAL_MS', '60000', /RETRY_INITIAL_MS must be between 1 and 30000/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
  ])('fails fast on %s=%s naming the variable', (name, value, message) => {
    expect(() => config({ WEBHOOK_SECRET_LOGISTICS: SECRET, [name]: value })).toThrow(message);
  });
});
