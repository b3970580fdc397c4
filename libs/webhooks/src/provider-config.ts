import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type EnvReader } from '@app/common';
import { Topics } from '@app/contracts';
import { checkSchemeConfig, createVerifier, SCHEME_PRESETS, SchemeConfigError, schemeTraits, type SchemeConfig, type SignatureVerifier } from './signatures';
import { NORMALIZERS, type NormalizerName } from './normalizers';

export type Source = { header: string[] } | { body: string[] };

export interface EventMapping {
  pattern: string;
  topic: string;
  normalize?: NormalizerName;
}

export interface Provider {
  name: string;
  verifier: SignatureVerifier;
  /** Lower-case names of the headers that carry the signature (dropped from quarantined copies). */
  signatureHeaders: string[];
  id?: Source;
  type?: Source;
  events: EventMapping[];
  handshake?: 'slack-url-verification';
  allowFrom?: BlockList;
}

const PRESETS: Record<string, SchemeConfig> = {
  crm: SCHEME_PRESETS.crm,
  shopify: SCHEME_PRESETS.shopify,
  github: SCHEME_PRESETS.github,
  slack: SCHEME_PRESETS.slack,
  stripe: SCHEME_PRESETS.stripe,
  'standard-webhooks': SCHEME_PRESETS.standardWebhooks,
};
const REGISTRY_TOPICS = new Set<string>(Object.values(Topics));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A config value quoted in an error message. */
const show = (v: unknown): string => JSON.stringify(v) ?? 'undefined';

function fail(path: string, message: string): never {
  throw new ConfigError(`providers config: ${path} ${message}`);
}

function strings(v: unknown, path: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.length > 0)) {
    fail(path, 'must be a non-empty string or list of strings');
  }
  return list as string[];
}

function source(v: unknown, path: string): Source | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) fail(path, 'must be { header: ... } or { body: ... }');
  if ('header' in v) return { header: strings(v.header, `${path}.header`).map((h) => h.toLowerCase()) };
  if ('body' in v) return { body: strings(v.body, `${path}.body`) };
  return fail(path, 'must have "header" or "body"');
}

function scheme(v: unknown, path: string): SchemeConfig {
  if (!isObj(v)) fail(path, 'must be an object');
  if (v.preset !== undefined) {
    if (Object.keys(v).length > 1) fail(path, 'takes either a preset or the settings of a scheme, not both');
    const preset = typeof v.preset === 'string' ? PRESETS[v.preset] : undefined;
    if (!preset) fail(`${path}.preset`, `must be one of ${Object.keys(PRESETS).join(', ')}, got ${show(v.preset)}`);
    return preset;
  }
  // The scheme's own rules (signatures/scheme-config.ts) decide; this only says where the setting is.
  try {
    return checkSchemeConfig(v);
  } catch (e) {
    if (e instanceof SchemeConfigError) fail(e.field ? `${path}.${e.field}` : path, e.field ? e.message.slice(e.field.length + 1) : e.message);
    throw e;
  }
}

function allowList(v: unknown, path: string): BlockList | undefined {
  if (v === undefined) return undefined;
  const list = new BlockList();
  for (const [i, cidr] of strings(v, path).entries()) {
    const [addr, bits] = cidr.split('/');
    const family = isIP(addr);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
      fail(`${path}[${i}]`, `must be an IP address or CIDR, got "${cidr}"`);
    }
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

export function secretEnvName(provider: string): string {
  return `WEBHOOK_SECRET_${provider.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * What config/providers.yaml says of one provider, checked, without its secrets: the ingress adds them; the
 * webhook CLI and the tests read the same definitions instead of keeping their own table of providers.
 */
export interface ProviderDefinition {
  name: string;
  scheme: SchemeConfig;
  unauthenticated: boolean;
  id?: Source;
  type?: Source;
  events: EventMapping[];
  handshake?: 'slack-url-verification';
  allowFrom?: BlockList;
}

function definition(name: string, v: unknown): ProviderDefinition {
  const path = `providers.${name}`;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) fail(path, 'name must be lower-case letters, digits and "-"');
  if (!isObj(v)) fail(path, 'must be an object');
  const known = ['signature', 'id', 'type', 'events', 'handshake', 'allowFrom', 'unauthenticated'];
  for (const k of Object.keys(v)) if (!known.includes(k)) fail(`${path}.${k}`, `is not a known setting (known: ${known.join(', ')})`);
  const sig = scheme(v.signature, `${path}.signature`);
  const unauthenticated = v.unauthenticated === true;
  if (sig.type === 'none' && !unauthenticated) fail(`${path}.signature`, 'is "none": set unauthenticated: true to accept unsigned requests');
  if (!isObj(v.events) || Object.keys(v.events).length === 0) fail(`${path}.events`, 'must map at least one event type to a topic');
  const events = Object.entries(v.events).map(([pattern, m]): EventMapping => {
    const p = `${path}.events.${pattern}`;
    if (!isObj(m) || typeof m.topic !== 'string') fail(`${p}.topic`, 'must be a topic name');
    if (!REGISTRY_TOPICS.has(m.topic) && m.topic !== `webhooks.${name}`) {
      fail(`${p}.topic`, `must be a registry topic or webhooks.${name}, got "${m.topic}"`);
    }
    if (m.normalize !== undefined && !(typeof m.normalize === 'string' && m.normalize in NORMALIZERS)) {
      fail(`${p}.normalize`, `must be one of ${Object.keys(NORMALIZERS).join(', ')}, got ${show(m.normalize)}`);
    }
    return { pattern, topic: m.topic, normalize: m.normalize as NormalizerName | undefined };
  });
  if (v.handshake !== undefined && v.handshake !== 'slack-url-verification') fail(`${path}.handshake`, 'must be slack-url-verification');
  return {
    name,
    scheme: sig,
    unauthenticated,
    id: source(v.id, `${path}.id`),
    type: source(v.type, `${path}.type`),
    events,
    handshake: v.handshake,
    allowFrom: allowList(v.allowFrom, `${path}.allowFrom`),
  };
}

function withSecrets(def: ProviderDefinition, env: EnvReader): Provider {
  const { name, scheme: sig } = def;
  const secrets = env.list(secretEnvName(name));
  if (sig.type !== 'none' && secrets.length === 0) {
    throw new ConfigError(`${secretEnvName(name)} is required: provider "${name}" verifies signatures and has no secret`);
  }
  let verifier: SignatureVerifier;
  try {
    verifier = createVerifier(sig, secrets);
  } catch (e) {
    throw new ConfigError(`${secretEnvName(name)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { id, type, events, handshake, allowFrom } = def;
  return { name, verifier, signatureHeaders: schemeTraits(sig)?.headers ?? [], id, type, events, handshake, allowFrom };
}

/** The checked provider definitions of a providers file's text, secrets not needed. */
export function parseProviderDefinitions(text: string): Map<string, ProviderDefinition> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`providers config is not valid YAML/JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObj(doc) || !isObj(doc.providers)) fail('providers', 'must be a map of provider name to settings');
  return new Map(Object.entries(doc.providers).map(([name, v]) => [name, definition(name, v)]));
}

function readProvidersFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`PROVIDERS_FILE names a file that cannot be read: ${file}`);
  }
}

export function loadProviderDefinitions(file: string): Map<string, ProviderDefinition> {
  return parseProviderDefinitions(readProvidersFile(file));
}

export function parseProviders(text: string, env: EnvReader): Map<string, Provider> {
  return new Map([...parseProviderDefinitions(text)].map(([name, def]) => [name, withSecrets(def, env)]));
}

export function loadProviders(file: string, env: EnvReader): Map<string, Provider> {
  return parseProviders(readProvidersFile(file), env);
}

/** Topics a provider set writes to beyond the registry (webhooks.<provider> for config-only providers). */
export function extraTopics(providers: Map<string, Provider>): string[] {
  const topics = new Set<string>();
  for (const p of providers.values()) for (const e of p.events) if (!REGISTRY_TOPICS.has(e.topic)) topics.add(e.topic);
  return [...topics];
}
