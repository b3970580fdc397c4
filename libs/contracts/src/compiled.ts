import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

/**
 * A contract class's validation, compiled once from its own class-validator decorators: the same
 * constraint functions class-validator calls (isEmail, maxLength, ...), with their arguments bound, in a
 * flat list per property. What it saves per event is the rest of validateSync: the metadata lookup and
 * grouping, a ValidationError per property, and the executor's closures.
 *
 * It compiles only what it can reproduce exactly: sync constraints without groups, `always`, `context`,
 * `validateIf`, IsOptional-style conditions, and `each`. A class with anything else (nested validation,
 * IsDefined, async constraints) is not compiled, and validateAs keeps class-validator's path for it.
 * A table-driven test (libs/contracts/src/compiled.spec.ts) checks both verdicts agree on valid and invalid inputs.
 */
export interface CompiledContract<T extends object> {
  cls: ClassConstructor<T>;
  /** An instance of the class holding only the decorated own properties of `data`, or undefined when invalid. */
  check(data: Record<string, unknown>): T | undefined;
}

interface Check {
  validate: (value: unknown, args: ValidationArguments) => unknown;
  each: boolean;
  /**
   * The arguments the constraint gets, made once and refilled per call (object and value): an object per
   * check and event was a third of what a check allocated. Only sync constraints are compiled, and they
   * are done with it when they return.
   */
  args: ValidationArguments;
}

interface PropertyPlan {
  name: string;
  /** IsOptional-like conditions: when one is false, the property's checks are skipped. */
  conditions: ((object: object, value: unknown) => boolean)[];
  checks: Check[];
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The compiled form of `cls`, or undefined when it uses something this compiler does not reproduce. */
export function compileContract<T extends object>(cls: ClassConstructor<T>): CompiledContract<T> | undefined {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, '', true, false);
  if (metadatas.length === 0) return undefined;
  const plans = new Map<string, PropertyPlan>();
  for (const m of metadatas) {
    if (m.groups?.length || m.always || m.context || m.validateIf || FORBIDDEN_KEYS.has(m.propertyName)) return undefined;
    let plan = plans.get(m.propertyName);
    if (!plan) plans.set(m.propertyName, (plan = { name: m.propertyName, conditions: [], checks: [] }));
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      const condition = m.constraints?.[0] as unknown;
      if (typeof condition !== 'function') return undefined;
      plan.conditions.push(condition as (object: object, value: unknown) => boolean);
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
      for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
        if (c.async) return undefined;
        const instance = c.instance as { validate: Check['validate'] };
        const args: ValidationArguments = { targetName: cls.name, property: m.propertyName, object: {}, value: undefined, constraints: m.constraints };
        plan.checks.push({ validate: instance.validate.bind(instance), each: m.each === true, args });
      }
    } else {
      return undefined; // nested, IsDefined, promise or whitelist-only metadata: class-validator's path
    }
  }
  const props = [...plans.values()];
  const known = new Set(plans.keys());
  return {
    cls,
    check(data) {
      const out = Object.create(cls.prototype as object) as Record<string, unknown>;
      // In the data's own order, like class-validator's instance: the record's JSON is then byte-identical.
      for (const k of Object.keys(data)) if (known.has(k)) out[k] = data[k];
      for (const p of props) {
        const value = out[p.name];
        let skip = false;
        for (const condition of p.conditions) if (!condition(out, value)) skip = true;
        if (skip) continue;
        for (const c of p.checks) {
          const args = c.args;
          args.object = out;
          args.value = value;
          if (c.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
            for (const item of Array.isArray(value) ? value : [...(value as Set<unknown> | Map<unknown, unknown>).values()]) {
              if (!c.validate(item, args)) return undefined;
            }
          } else if (!c.validate(value, args)) {
            return undefined;
          }
        }
      }
      return out as T;
    },
  };
}
