import type { LoggerService, LogLevel } from '@nestjs/common';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values are never written, wherever they appear in a log record. */
const SECRET_KEY = /secret|password|passwd|signature|authorization|token|api[-_]?key|cookie|hmac/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export type LogSink = (line: string) => void;

/**
 * One-line JSON logs on stdout, with secrets redacted by key name. Implements Nest's LoggerService so
 * the framework's own messages come out in the same format.
 */
export class JsonLogger implements LoggerService {
  private readonly min: number;

  constructor(
    private readonly service: string,
    level: Level = (process.env.LOG_LEVEL as Level | undefined) ?? 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(line + '\n'),
    private readonly context?: string,
  ) {
    this.min = ORDER[level] ?? ORDER.info;
  }

  child(context: string): JsonLogger {
    const level = (Object.keys(ORDER) as Level[]).find((l) => ORDER[l] === this.min) ?? 'info';
    return new JsonLogger(this.service, level, this.sink, context);
  }

  write(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < this.min) return;
    const rec: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service };
    if (this.context) rec.context = this.context;
    rec.msg = msg;
    if (fields) Object.assign(rec, redact(fields));
    this.sink(JSON.stringify(rec));
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.nest('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.nest('debug', message, rest);
  }
  log(message: unknown, ...rest: unknown[]): void {
    this.nest('info', message, rest);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write('info', msg, fields);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.nest('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.nest('error', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.nest('error', message, rest);
  }
  setLogLevels(_levels: LogLevel[]): void {
    /* level is fixed by LOG_LEVEL */
  }

  /** Nest calls log(message, context) or error(message, stack, context); ours pass (msg, fields). */
  private nest(level: Level, message: unknown, rest: unknown[]): void {
    const last = rest[rest.length - 1];
    if (last !== null && typeof last === 'object' && !(last instanceof Error)) {
      this.write(level, String(message), last as Record<string, unknown>);
      return;
    }
    const context = typeof last === 'string' ? last : undefined;
    const msg = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(redact(message));
    this.write(level, msg, context ? { nestContext: context } : undefined);
  }
}
