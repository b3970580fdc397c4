import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { compileContract, type CompiledContract } from './compiled';

export type Validated<T> = { ok: true; value: T } | { ok: false; reason: string };

function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...describe(e.children ?? [], path)];
  });
}

const flat = new Map<ClassConstructor<object>, boolean>();

/** A class with no nested validation needs no class-transformer pass (a measurable cost per event). */
function isFlat(cls: ClassConstructor<object>): boolean {
  let known = flat.get(cls);
  if (known === undefined) {
    known = !getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .some((m) => m.type === 'nestedValidation');
    flat.set(cls, known);
  }
  return known;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Own properties only, never one that would reach the prototype (JSON.parse makes "__proto__" an own key). */
function copyInto<T extends object>(target: T, data: object): T {
  const out = target as Record<string, unknown>;
  for (const [k, v] of Object.entries(data)) if (!FORBIDDEN_KEYS.has(k)) out[k] = v;
  return target;
}

const compiled = new Map<ClassConstructor<object>, CompiledContract<object> | null>();

function compiledFor(cls: ClassConstructor<object>): CompiledContract<object> | null {
  let c = compiled.get(cls);
  if (c === undefined) compiled.set(cls, (c = compileContract(cls) ?? null));
  return c;
}

/**
 * Turns untrusted data into a checked instance of `cls`, or a reason naming every bad field. A class whose
 * decorators compile (see compiled.ts) is checked by its compiled form; only data it refuses goes through
 * class-validator itself, whose errors name the bad fields (and whose verdict stands).
 */
export function validateAs<T extends object>(cls: ClassConstructor<T>, data: unknown): Validated<T> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, reason: 'data must be a JSON object' };
  const fast = compiledFor(cls);
  if (fast) {
    const value = fast.check(data as Record<string, unknown>);
    if (value) return { ok: true, value: value as T };
  }
  return validateWithClassValidator(cls, data);
}

/** class-validator's own validateSync on a class-transformer instance: the reference validateAs agrees with. */
export function validateWithClassValidator<T extends object>(cls: ClassConstructor<T>, data: unknown): Validated<T> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, reason: 'data must be a JSON object' };
  const instance = isFlat(cls) ? copyInto(Object.create(cls.prototype as object) as T, data) : plainToInstance(cls, data, { excludeExtraneousValues: false });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) return { ok: false, reason: describe(errors).slice(0, 10).join('; ') };
  return { ok: true, value: instance };
}
