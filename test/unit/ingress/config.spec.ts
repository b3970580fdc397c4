import { EnvReader } from '@app/common';
import { ingressConfigFromEnv } from '../../../apps/ingress/src/config';

describe('ingress configuration', () => {
  it('bounds how long a request may take to arrive by default', () => {
    const c = ingressConfigFromEnv(new EnvReader({}));
    expect({ headers: c.headersTimeoutMs, request: c.requestTimeoutMs }).toEqual({ headers: 10_000, request: 30_000 });
  });

  it('reads the HTTP timeouts from the environment', () => {
    const c = ingressConfigFromEnv(new EnvReader({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '5000' }));
    expect({ headers: c.headersTimeoutMs, request: c.requestTimeoutMs }).toEqual({ headers: 2000, request: 5000 });
  });

  it('does not compress produce requests unless KAFKA_COMPRESSION says so', () => {
    expect(ingressConfigFromEnv(new EnvReader({})).compression).toBe('none');
    expect(ingressConfigFromEnv(new EnvReader({ KAFKA_COMPRESSION: 'snappy' })).compression).toBe('snappy');
  });

  it.each([
    [{ KAFKA_COMPRESSION: 'brotli' }, /KAFKA_COMPRESSION must be one of none, gzip, snappy, lz4, zstd, got "brotli"/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '0' }, /HTTP_HEADERS_TIMEOUT_MS must be between 100 and 600000, got 0/],
    [{ HTTP_REQUEST_TIMEOUT_MS: 'soon' }, /HTTP_REQUEST_TIMEOUT_MS must be a whole number/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }, /HTTP_REQUEST_TIMEOUT_MS must be at least HTTP_HEADERS_TIMEOUT_MS \(20000\), got 10000/],
    [{ BODY_LIMIT_BYTES: '2097152', MAX_IN_FLIGHT_BYTES: '2097152' }, /MAX_IN_FLIGHT_BYTES must be at least twice BODY_LIMIT_BYTES/],
  ])('fails fast on %j', (vars, message) => {
    expect(() => ingressConfigFromEnv(new EnvReader(vars))).toThrow(message);
  });
});
