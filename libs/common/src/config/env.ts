/**
 * Fail-fast configuration readers. Every reader names the variable it read and what was wrong, so a
 * misconfigured process stops at start-up with one clear line instead of failing later.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

export class EnvReader {
  constructor(private readonly env: Env = process.env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) throw new ConfigError(`${name} is required`);
    return v;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw new ConfigError(`${name} must be a whole number, got "${v}"`);
    const n = Number(v);
    if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  }

  port(name: string, fallback: number): number {
    return this.int(name, fallback, { min: 0, max: 65535 });
  }

  /** An absolute URL (normalised). The value is not repeated in the error: a URL can carry credentials. */
  url(name: string, fallback: string): string {
    const v = this.string(name, fallback);
    try {
      return new URL(v).toString();
    } catch {
      throw new ConfigError(`${name} must be an absolute URL such as http://127.0.0.1:3000`);
    }
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    throw new ConfigError(`${name} must be true or false, got "${v}"`);
  }

  /** One of `values` (compared case-insensitively, returned as listed). */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const found = values.find((x) => x.toLowerCase() === v.toLowerCase());
    if (found === undefined) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${v}"`);
    return found;
  }

  list(name: string, fallback: string[] = []): string[] {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const lower = v.toLowerCase() as T;
    if (!choices.includes(lower)) throw new ConfigError(`${name} must be one of ${choices.join(', ')}, got "${v}"`);
    return lower;
  }
}
