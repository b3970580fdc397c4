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

/** `json`: one JSON object per line (machines, containers). `pretty`: short coloured lines for a person. */
export type LogFormat = 'json' | 'pretty';

/**
 * The format for logs written to stdout: LOG_FORMAT when it is `json` or `pretty`, else pretty when
 * stdout is a terminal and JSON otherwise (pipes, files, log collectors; containers set LOG_FORMAT=json).
 */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): LogFormat {
  const v = env.LOG_FORMAT?.trim().toLowerCase();
  if (v === 'json' || v === 'pretty') return v;
  return isTTY ? 'pretty' : 'json';
}

/** Colour in pretty lines: on a terminal, or when FORCE_COLOR asks (npm run stack pipes its children); never with NO_COLOR. */
function colourFromEnv(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stdout.isTTY)): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}

export interface PrettyOptions {
  colour?: boolean;
  /** False when something else already names the process on each line (npm run stack's prefix). */
  service?: boolean;
  /** Fields shown as key=value; the rest are counted ("+3 more"). */
  maxFields?: number;
}

const LEVEL_STYLE: Record<Level, [label: string, sgr: string]> = {
  debug: ['DBG', '90'],
  info: ['INF', '32'],
  warn: ['WRN', '33'],
  error: ['ERR', '1;31'],
};
const MAX_VALUE = 80;

/**
 * Control characters (a newline, an escape sequence) would let a logged value forge a line or repaint the
 * terminal: in pretty lines they are written escaped, as JSON would.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
function safe(text: string): string {
  return UNSAFE.test(text) ? JSON.stringify(text).slice(1, -1) : text;
}

function prettyValue(v: unknown): string {
  let text: string;
  if (typeof v === 'string') text = v === '' || /[\s"=]/.test(v) || UNSAFE.test(v) ? JSON.stringify(v) : v;
  else if (v === undefined) text = 'undefined';
  else if (typeof v === 'bigint') text = v.toString();
  else text = JSON.stringify(v) ?? typeof v;
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/**
 * One short line for a person: `12:04:05.123 INF ingress [context] message key=value ...`. Takes the
 * record as the JSON format would write it, so redaction is applied once, before either format.
 */
export function formatPretty(rec: Record<string, unknown>, opts: PrettyOptions = {}): string {
  const { colour = false, service = true, maxFields = 6 } = opts;
  const paint = (sgr: string, text: string) => (colour ? `\x1b[${sgr}m${text}\x1b[0m` : text);
  const { time, level, service: name, context, msg, ...fields } = rec;
  const [label, sgr] = LEVEL_STYLE[level as Level] ?? LEVEL_STYLE.info;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const parts = [paint('2', clock), paint(sgr, label)];
  if (service) parts.push(paint('36', String(name)));
  if (context) parts.push(paint('2', `[${safe(typeof context === 'string' ? context : prettyValue(context))}]`));
  parts.push(level === 'error' || level === 'warn' ? paint(sgr, safe(String(msg))) : safe(String(msg)));
  const entries = Object.entries(fields);
  for (const [k, v] of entries.slice(0, maxFields)) parts.push(`${paint('2', `${safe(k)}=`)}${prettyValue(v)}`);
  if (entries.length > maxFields) parts.push(paint('2', `+${entries.length - maxFields} more`));
  return parts.join(' ');
}

/** Writes one record as a line; chosen once per logger. */
type Formatter = (rec: Record<string, unknown>) => string;

function formatter(format: LogFormat, colour: boolean, env: NodeJS.ProcessEnv = process.env): Formatter {
  if (format === 'json') return (rec) => JSON.stringify(rec);
  const opts: PrettyOptions = { colour, service: env.LOG_PRETTY_SERVICE !== '0' };
  return (rec) => formatPretty(rec, opts);
}

const stdoutSink: LogSink = (line) => process.stdout.write(line + '\n');

/**
 * Logs on stdout, with secrets redacted by key name: one JSON object per line, or with `format` pretty
 * (see logFormatFromEnv), a short human line. A logger given its own sink writes JSON unless told
 * otherwise, because such sinks are read by programs (tests, collectors). Implements Nest's LoggerService
 * so the framework's own messages come out in the same format.
 */
export class JsonLogger implements LoggerService {
  private readonly min: number;
  private readonly sink: LogSink;
  private readonly format: LogFormat;
  private readonly render: Formatter;

  constructor(
    private readonly service: string,
    level: Level = (process.env.LOG_LEVEL as Level | undefined) ?? 'info',
    private readonly ownSink?: LogSink,
    private readonly context?: string,
    format?: LogFormat,
  ) {
    this.min = ORDER[level] ?? ORDER.info;
    this.sink = ownSink ?? stdoutSink;
    this.format = format ?? (ownSink ? 'json' : logFormatFromEnv());
    // Colour escapes only ever go to stdout: a sink of its own gets plain text.
    this.render = formatter(this.format, !ownSink && colourFromEnv());
  }

  child(context: string): JsonLogger {
    const level = (Object.keys(ORDER) as Level[]).find((l) => ORDER[l] === this.min) ?? 'info';
    return new JsonLogger(this.service, level, this.ownSink, context, this.format);
  }

  write(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < this.min) return;
    const rec: Record<string, unknown> = { time: new Date().toISOString(), level, service: this.service };
    if (this.context) rec.context = this.context;
    rec.msg = msg;
    if (fields) Object.assign(rec, redact(fields));
    this.sink(this.render(rec));
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
