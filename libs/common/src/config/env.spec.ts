import { ConfigError, EnvReader } from './env';

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

  it('reads absolute URLs, without repeating a refused value (it may carry credentials)', () => {
    expect(env({}).url('X', 'http://127.0.0.1:3200')).toBe('http://127.0.0.1:3200/');
    expect(env({ X: 'https://billing.example/v1' }).url('X', 'http://a')).toBe('https://billing.example/v1');
    expect(() => env({ X: '//user:secret@billing.example' }).url('X', 'http://a')).toThrow('X must be an absolute URL such as http://127.0.0.1:3000');
    expect(() => env({ X: '//user:secret@billing.example' }).url('X', 'http://a')).not.toThrow(/secret/);
  });

  it('reads booleans strictly', () => {
    expect(env({ X: 'yes' }).bool('X', false)).toBe(true);
    expect(env({ X: 'off' }).bool('X', true)).toBe(false);
    expect(() => env({ X: 'maybe' }).bool('X', true)).toThrow(ConfigError);
  });

  it('reads one of a fixed set of values, case-insensitively, and names the choices when refused', () => {
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
    expect(env({}).oneOf('X', codecs, 'none')).toBe('none');
    expect(env({ X: ' LZ4 ' }).oneOf('X', codecs, 'none')).toBe('lz4');
    expect(() => env({ X: 'brotli' }).oneOf('X', codecs, 'none')).toThrow('X must be one of none, gzip, snappy, lz4, zstd, got "brotli"');
  });

  it('requires a value that has no fallback', () => {
    expect(() => env({}).string('SECRET')).toThrow('SECRET is required');
  });
});
