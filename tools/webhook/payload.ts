import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { SendOptions } from './args';
import { UsageError } from './args';
import { isObject, stringifyJson, type JsonObject } from './json';
import { providerSpec } from './providers';

/** The samples sit next to this file in the source tree; compiled, this file is in dist/tools/webhook. */
function samplesDir(): string {
  const candidates = [join(__dirname, 'samples'), join(__dirname, '..', '..', '..', 'tools', 'webhook', 'samples')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

/** The raw bytes to send: --file (relative to where npm was run) or the event's sample. Must be a JSON object. */
export function loadPayload(options: Pick<SendOptions, 'provider' | 'event' | 'file'>, cwd: string): Buffer {
  const path = options.file ?? join(samplesDir(), `${providerSpec(options.provider).samples[options.event]}.json`);
  const what = options.file === undefined ? `sample ${path}` : `--file ${options.file}`;
  let raw: Buffer;
  try {
    raw = readFileSync(isAbsolute(path) ? path : resolve(cwd, path));
  } catch {
    throw new UsageError(`${what} cannot be read`);
  }
  parseObject(raw, what);
  return raw;
}

export function parseObject(raw: Buffer, what: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(value)) throw new UsageError(`${what} must hold a JSON object`);
  return value;
}

/**
 * The body of each of `count` events. One event is sent byte for byte as given. Several are made
 * distinct by the provider's vary(), which means re-serializing: formatting changes, and numbers beyond
 * 2^53 other than a Shopify order id lose digits.
 */
export function eventBodies(options: Pick<SendOptions, 'provider' | 'count'>, raw: Buffer): Buffer[] {
  if (options.count === 1) return [raw];
  const payload = parseObject(raw, 'payload');
  const vary = providerSpec(options.provider).vary;
  return Array.from({ length: options.count }, (_, k) => Buffer.from(stringifyJson(vary(payload, k + 1))));
}
