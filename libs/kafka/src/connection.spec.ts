import { EnvReader } from '@app/common';
import { kafkaConnectionFromEnv } from './connection';

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
