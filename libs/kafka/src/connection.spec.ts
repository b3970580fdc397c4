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

  it('reads the replication of new topics, or leaves it to the cluster size', () => {
    expect(kafkaConnectionFromEnv('x', new EnvReader({})).replication).toBeUndefined();
    expect(kafkaConnectionFromEnv('x', new EnvReader({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' })).replication).toEqual({ factor: 3, minInsync: 2 });
    expect(kafkaConnectionFromEnv('x', new EnvReader({ KAFKA_MIN_INSYNC_REPLICAS: '1' })).replication).toEqual({ factor: undefined, minInsync: 1 });
  });

  it.each([
    [{ KAFKA_BROKERS: 'nohost' }, /KAFKA_BROKERS entries must be host:port/],
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM must be one of/],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD is required/],
    [{ KAFKA_TOPIC_PREFIX: 'a b' }, /KAFKA_TOPIC_PREFIX may hold only/],
    [{ KAFKA_REPLICATION_FACTOR: '0' }, /KAFKA_REPLICATION_FACTOR must be between 1 and 32767, got 0/],
    [{ KAFKA_REPLICATION_FACTOR: 'three' }, /KAFKA_REPLICATION_FACTOR must be a whole number/],
    [{ KAFKA_MIN_INSYNC_REPLICAS: '-1' }, /KAFKA_MIN_INSYNC_REPLICAS must be between 1 and 32767/],
    [{ KAFKA_REPLICATION_FACTOR: '2', KAFKA_MIN_INSYNC_REPLICAS: '3' }, /KAFKA_MIN_INSYNC_REPLICAS must not exceed KAFKA_REPLICATION_FACTOR \(2\), got 3/],
  ])('fails fast on %j', (vars, message) => {
    expect(() => kafkaConnectionFromEnv('x', new EnvReader(vars))).toThrow(message);
  });
});
