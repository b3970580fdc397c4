/**
 * The one set of rules for a signature scheme's settings, whether they come from a preset, YAML or code.
 * Config may come from YAML, so nothing about its types is trusted. Errors name the field, so the
 * provider config can report `providers.<name>.signature.<field>`.
 */
import { DIGEST_BYTES } from './digest';
import { compileTemplate, type SignedTemplate } from './template';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp';
import type { HmacSchemeConfig, SchemeConfig } from './types';

export class SchemeConfigError extends Error {
  constructor(
    /** The setting at fault, e.g. "algorithm" ("" for the scheme as a whole). */
    readonly field: string,
    message: string,
  ) {
    super(field ? `${field} ${message}` : message);
    this.name = 'SchemeConfigError';
  }
}

const HMAC_FIELDS = ['type', 'header', 'algorithm', 'encoding', 'prefix', 'timestampHeader', 'toleranceSeconds', 'signedContent'];
const TIMESTAMPED_FIELDS = ['type', 'toleranceSeconds'];

type Fields = Record<string, unknown>;
const show = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

function onlyKnown(fields: Fields, known: string[]): void {
  for (const k of Object.keys(fields)) {
    if (!known.includes(k)) throw new SchemeConfigError(k, `is not a setting of this scheme (known: ${known.join(', ')})`);
  }
}

/** A positive whole number of seconds; 300 when unset. */
export function checkTolerance(value: unknown): number {
  if (value === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SchemeConfigError('toleranceSeconds', `must be a positive whole number, got ${show(value)}`);
  }
  return value;
}

function optionalString(fields: Fields, key: string): string | undefined {
  const v = fields[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new SchemeConfigError(key, 'must be a non-empty string');
  return v;
}

/** An HMAC scheme checked and normalised once, so verify() does no config work. */
export interface CheckedHmacScheme {
  header: string;
  algorithm: HmacSchemeConfig['algorithm'];
  encoding: HmacSchemeConfig['encoding'];
  prefix: string;
  timestampHeader: string | undefined;
  toleranceSeconds: number;
  template: SignedTemplate;
}

export function checkHmacScheme(config: unknown): CheckedHmacScheme {
  const fields = (config ?? {}) as Fields;
  onlyKnown(fields, HMAC_FIELDS);
  const header = optionalString(fields, 'header');
  if (header === undefined) throw new SchemeConfigError('header', 'must be a non-empty string');
  const algorithm = fields.algorithm ?? 'sha256';
  if (typeof algorithm !== 'string' || !Object.hasOwn(DIGEST_BYTES, algorithm)) {
    throw new SchemeConfigError('algorithm', `must be sha256 or sha512, got ${show(algorithm)}`);
  }
  const encoding = fields.encoding ?? 'hex';
  if (encoding !== 'hex' && encoding !== 'base64') throw new SchemeConfigError('encoding', `must be hex or base64, got ${show(encoding)}`);
  if (fields.prefix !== undefined && typeof fields.prefix !== 'string') throw new SchemeConfigError('prefix', 'must be a string');
  const timestampHeader = optionalString(fields, 'timestampHeader')?.toLowerCase();
  const signedContent = fields.signedContent ?? '{body}';
  if (typeof signedContent !== 'string') throw new SchemeConfigError('signedContent', 'must be a string');
  let template: SignedTemplate;
  try {
    template = compileTemplate(signedContent);
  } catch (e) {
    throw new SchemeConfigError('signedContent', e instanceof Error ? e.message : String(e));
  }
  // Both ways round: {timestamp} needs a source, and an unsigned timestamp header gives no replay
  // protection because anyone can rewrite it.
  if (template.usesTimestamp && timestampHeader === undefined) {
    throw new SchemeConfigError('timestampHeader', 'is required when signedContent uses {timestamp}');
  }
  if (!template.usesTimestamp && timestampHeader !== undefined) {
    throw new SchemeConfigError('signedContent', 'must use {timestamp} when timestampHeader is set (an unsigned timestamp protects nothing)');
  }
  return {
    header: header.toLowerCase(),
    algorithm: algorithm as HmacSchemeConfig['algorithm'],
    encoding,
    prefix: fields.prefix ?? '',
    timestampHeader,
    toleranceSeconds: checkTolerance(fields.toleranceSeconds),
    template,
  };
}

/** Checks any scheme's settings and returns them typed; throws SchemeConfigError naming the field. */
export function checkSchemeConfig(config: unknown): SchemeConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new SchemeConfigError('', 'must be an object');
  const fields = config as Fields;
  switch (fields.type) {
    case 'none':
      onlyKnown(fields, ['type']);
      return { type: 'none' };
    case 'hmac': {
      const s = checkHmacScheme(fields);
      return {
        type: 'hmac',
        header: s.header,
        algorithm: s.algorithm,
        encoding: s.encoding,
        ...(s.prefix ? { prefix: s.prefix } : {}),
        ...(s.timestampHeader ? { timestampHeader: s.timestampHeader } : {}),
        ...(fields.toleranceSeconds !== undefined ? { toleranceSeconds: s.toleranceSeconds } : {}),
        ...(fields.signedContent !== undefined ? { signedContent: fields.signedContent as string } : {}),
      };
    }
    case 'stripe':
    case 'standard-webhooks':
      onlyKnown(fields, TIMESTAMPED_FIELDS);
      checkTolerance(fields.toleranceSeconds);
      return fields.toleranceSeconds === undefined ? { type: fields.type } : { type: fields.type, toleranceSeconds: fields.toleranceSeconds as number };
    default:
      throw new SchemeConfigError('type', `must be hmac, stripe, standard-webhooks or none, got ${show(fields.type)}`);
  }
}
