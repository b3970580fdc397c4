import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { contractFor } from './registry';
import { validateAs } from './validate';

/**
 * JSON Schema (draft 2020-12 / AsyncAPI and OpenAPI 3.1 compatible) derived from a contract class's
 * class-validator decorators, and an example that satisfies it. The API documents (docs/asyncapi.yaml) and
 * the tests of generated agents read the contracts through this, so neither can drift from the validators.
 * A decorator without a mapping below is an error naming the class, the property and where to add it:
 * never a silently looser schema.
 */
export type JsonSchema = { [keyword: string]: unknown };

export class SchemaMappingError extends Error {}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const transformerStorage = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: { findTypeMetadata(target: object, property: string): { typeFunction: () => unknown } | undefined };
};

type Fragment = (constraints: unknown[]) => JsonSchema;

const str = (extra: JsonSchema = {}): Fragment => () => ({ type: 'string', ...extra });

/** class-validator constraint name → the JSON Schema keywords it means. */
const MAPPINGS: Record<string, Fragment> = {
  isString: str(),
  isEmail: str({ format: 'email' }),
  isUrl: str({ format: 'uri' }),
  isUuid: str({ format: 'uuid' }),
  isIso8601: str({ format: 'date-time' }),
  isDateString: str({ format: 'date-time' }),
  // The validators also check the code is an assigned one; the schema says its shape.
  isISO4217CurrencyCode: str({ pattern: '^[A-Z]{3}$', examples: ['EUR'], description: 'ISO 4217 currency code' }),
  isISO31661Alpha2: str({ pattern: '^[A-Za-z]{2}$', examples: ['DE'], description: 'ISO 3166-1 alpha-2 country code' }),
  isNumberString: str({ pattern: '^-?\\d+(\\.\\d+)?$' }),
  isAlphanumeric: str({ pattern: '^[A-Za-z0-9]+$' }),
  isHexadecimal: str({ pattern: '^(0x|0h)?[0-9A-Fa-f]+$' }),
  isUppercase: str({ pattern: '^[^a-z]*$' }),
  isLowercase: str({ pattern: '^[^A-Z]*$' }),
  isFqdn: str({ format: 'hostname' }),
  isIp: ([version]) => ({ type: 'string', ...(String(version) === '6' ? { format: 'ipv6' } : String(version) === '4' ? { format: 'ipv4' } : {}) }),
  isInt: () => ({ type: 'integer' }),
  isNumber: () => ({ type: 'number' }),
  isBoolean: () => ({ type: 'boolean' }),
  isArray: () => ({ type: 'array' }),
  isObject: () => ({ type: 'object' }),
  isNotEmpty: () => ({ minLength: 1 }),
  isIn: ([values]) => ({ ...((values as unknown[]).every((v) => typeof v === 'string') ? { type: 'string' } : {}), enum: values }),
  isEnum: ([entity]) => ({ enum: [...new Set(Object.values(entity as object))] }),
  min: ([n]) => ({ minimum: n }),
  max: ([n]) => ({ maximum: n }),
  isPositive: () => ({ exclusiveMinimum: 0 }),
  isNegative: () => ({ exclusiveMaximum: 0 }),
  minLength: ([n]) => ({ minLength: n }),
  maxLength: ([n]) => ({ maxLength: n }),
  isLength: ([min, max]) => ({ minLength: min, ...(typeof max === 'number' ? { maxLength: max } : {}) }),
  matches: ([pattern]) => {
    if (!(pattern instanceof RegExp) || pattern.flags !== '') throw new SchemaMappingError('@Matches needs a RegExp without flags to become a JSON Schema pattern');
    return { type: 'string', pattern: pattern.source };
  },
  arrayMinSize: ([n]) => ({ minItems: n }),
  arrayMaxSize: ([n]) => ({ maxItems: n }),
  arrayNotEmpty: () => ({ minItems: 1 }),
  arrayUnique: () => ({ uniqueItems: true }),
};

const cache = new Map<ClassConstructor<object>, JsonSchema>();

/** The JSON Schema of a contract class: an object with its properties, `required` those without @IsOptional. */
export function contractSchema(cls: ClassConstructor<object>): JsonSchema {
  const known = cache.get(cls);
  if (known) return known;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const properties: Record<string, JsonSchema> = {};
  const optional = new Set<string>();
  for (const property of [...new Set(metadata.map((m) => m.propertyName))]) {
    let own: JsonSchema = {};
    let items: JsonSchema | undefined;
    for (const m of metadata.filter((x) => x.propertyName === property)) {
      let fragment: JsonSchema;
      if (m.type === 'conditionalValidation' && m.name === 'isOptional') {
        optional.add(property);
        continue;
      }
      // @IsDefined: required, which every property without @IsOptional is; @Allow: no constraint.
      if (m.type === 'whitelist' || m.type === 'isDefined') continue;
      if (m.type === 'nestedValidation') {
        const nested = transformerStorage.defaultMetadataStorage.findTypeMetadata(cls, property)?.typeFunction();
        if (typeof nested !== 'function') throw new SchemaMappingError(`${cls.name}.${property}: @ValidateNested needs @Type(() => Class) to describe the nested contract`);
        fragment = contractSchema(nested as ClassConstructor<object>);
      } else {
        const map = m.type === 'customValidation' && m.name ? MAPPINGS[m.name] : undefined;
        if (!map) {
          throw new SchemaMappingError(
            `${cls.name}.${property}: the validator ${m.name ?? m.type} has no JSON Schema mapping; add one to MAPPINGS in libs/contracts/src/json-schema.ts`,
          );
        }
        try {
          fragment = map((m.constraints ?? []) as unknown[]);
        } catch (e) {
          throw new SchemaMappingError(`${cls.name}.${property}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (m.each) items = { ...items, ...fragment };
      else own = { ...own, ...fragment };
    }
    if (items) own = { type: 'array', ...own, items };
    properties[property] = own;
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p));
  const schema: JsonSchema = { type: 'object', title: cls.name, properties, ...(required.length > 0 ? { required } : {}) };
  cache.set(cls, schema);
  return schema;
}

/** Strings an example may use for a pattern-only string, tried in order. */
const PATTERN_CANDIDATES = ['19.99', '1', 'EUR', 'DE', 'example', 'a'];

/** A value that satisfies `schema` (the subset contractSchema produces). */
export function exampleOf(schema: JsonSchema, path = 'data'): unknown {
  const examples = schema.examples;
  if (Array.isArray(examples) && examples.length > 0) return examples[0] as unknown;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0] as unknown;
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      return Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, exampleOf(s, `${path}.${name}`)]));
    }
    case 'array': {
      const count = typeof schema.minItems === 'number' && schema.minItems > 1 ? schema.minItems : 1;
      return Array.from({ length: count }, (_, i) => exampleOf((schema.items ?? {}) as JsonSchema, `${path}[${i}]`));
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : undefined;
      const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : undefined;
      return min ?? (max !== undefined && max < 1 ? max : 1);
    }
    case 'boolean':
      return true;
    case 'string':
      return exampleString(schema, path);
    default:
      return {};
  }
}

function exampleString(schema: JsonSchema, path: string): string {
  switch (schema.format) {
    case 'email':
      return 'ada@example.com';
    case 'date-time':
      return '2026-03-02T09:15:00.000Z';
    case 'uri':
      return 'https://example.com/';
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'hostname':
      return 'example.com';
    case 'ipv4':
      return '192.0.2.1';
    case 'ipv6':
      return '2001:db8::1';
  }
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern, 'u');
    const found = PATTERN_CANDIDATES.find((c) => re.test(c) && c.length <= max && c.length >= min);
    if (found === undefined) throw new SchemaMappingError(`${path}: no example string matches /${schema.pattern}/; add one to PATTERN_CANDIDATES in libs/contracts/src/json-schema.ts`);
    return found;
  }
  const name = path.slice(path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '');
  return `${name}-1`.padEnd(min, 'x').slice(0, max);
}

/**
 * Example data of a topic's records: valid for its contract (checked with validateAs, the runtime's own
 * check), or `{}` for a topic that passes provider JSON through.
 */
export function exampleData(topic: string): Record<string, unknown> {
  const cls = contractFor(topic);
  if (!cls) return {};
  const data = exampleOf(contractSchema(cls)) as Record<string, unknown>;
  const checked = validateAs(cls, data);
  if (!checked.ok) throw new SchemaMappingError(`the example derived for ${cls.name} (${topic}) fails its own validators: ${checked.reason}`);
  return data;
}
