import { ConfigError, EnvReader } from './env';
import { kafkaConnectionFromEnv } from '../kafka/connection';

describe('EnvReader', () => {
  const env = (vars: Record<string, string>) => new EnvReader(vars);

  it.each([
    ['PORT', 'abc', /PORT must be a whole number, got "abc"/],
    ['PORT', '70000', /PORT must be between 0 and 65535, got 70000/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    expect(() => env({ [name]: value }).port(name, 3000)).toThrow(message);
  });

  it('uses the fallback only when the variable is unset or blank', () => {
    expect(env({}).port('PORT', 3000)).toBe(3000);
    expect(env({ PORT: '  ' }).port('PORT', 3000)).toBe(3000);
    expect(env({ PORT: '8080' }).port('PORT', 3000)).toBe(8080);
  });

  it('reads booleans strictly', () => {
    expect(env({ X: 'yes' }).bool('X', false)).toBe(true);
    expect(env({ X: 'off' }).bool('X', true)).toBe(false);
    expect(() => env({ X: 'maybe' }).bool('X', true)).toThrow(ConfigError);
  });

  it('requires a value that has no fallback', () => {
    expect(() => env({}).string('SECRET')).toThrow('SECRET is required');
  });
});

describe('kafkaConnectionFromEnv', () => {
  it('defaults to the local broker and gives each process its own client id', () => {
    const a = kafkaConnectionFromEnv('ingress', new EnvReader({}));
    const b = kafkaConnectionFromEnv('ingress', new EnvReader({}));
    expect(a.brokers).toEqual(['127.0.0.1:9092']);
    expect(a.clientId).toMatch(/^ingress-/);
    expect(a.clientId).not.toBe(b.clientId);
  });

  it('reads brokers, SASL and the topic prefix from the environment', () => {
    const c = kafkaConnectionFromEnv(
      'x',
      new EnvReader({
        KAFKA_BROKERS: 'k1:9092, k2:9093',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_TOPIC_PREFIX: 'staging.',
      }),
    );
    expect(c.brokers).toEqual(['k1:9092', 'k2:9093']);
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
    expect(c.topicPrefix).toBe('staging.');
  });

  it.each([
    [{ KAFKA_BROKERS: 'nohost' }, /KAFKA_BROKERS entries must be host:port/],
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM must be one of/],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD is required/],
    [{ KAFKA_TOPIC_PREFIX: 'a b' }, /KAFKA_TOPIC_PREFIX may hold only/],
  ])('fails fast on %j', (vars, message) => {
    expect(() => kafkaConnectionFromEnv('x', new EnvReader(vars))).toThrow(message);
  });
});
