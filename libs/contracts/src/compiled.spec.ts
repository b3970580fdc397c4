import 'reflect-metadata';
import fc from 'fast-check';
import type { ClassConstructor } from 'class-transformer';
import { compileContract } from './compiled';
import { validateAs, validateWithClassValidator } from './validate';
import { Lead } from './lead';
import { Address, Customer, Order, OrderLine } from './order';
import { ShipmentUpdate } from './shipment';
import { EmailRequested, LeadDisqualified, LeadQualified, OrderStatusChanged } from './follow-ups';

const lead = { crmId: 'c-1', email: 'ada@example.com', firstName: 'Ada', companySize: 40, country: 'GB', phone: '+44 1' };
const shipment = { orderId: 'o-1', shipmentId: 's-1', status: 'shipped', occurredAt: '2026-11-30T08:00:00Z', sequence: 3 };
const qualified = { email: 'a@b.io', crmId: 'c', score: 80, reasons: ['size'], owner: 'sam', returning: false };

/** [contract, data, verdict class-validator gives]: both paths must give that verdict. */
const CASES: [ClassConstructor<object>, Record<string, unknown>, boolean][] = [
  [Lead, lead, true],
  [Lead, { crmId: '', email: 'x@y.co' }, true],
  [Lead, { ...lead, firstName: undefined, lastName: null, company: null }, true],
  [Lead, { ...lead, unknownField: { deep: 1 } }, true],
  [Lead, { ...lead, email: 'not-an-email' }, false],
  [Lead, { ...lead, email: undefined }, false],
  [Lead, { ...lead, crmId: 7 }, false],
  [Lead, { ...lead, crmId: 'x'.repeat(201) }, false],
  [Lead, { ...lead, companySize: 0 }, false],
  [Lead, { ...lead, companySize: 1.5 }, false],
  [Lead, { ...lead, companySize: '40' }, false],
  [Lead, { ...lead, companySize: 10_000_001 }, false],
  [Lead, { ...lead, country: 'gb' }, true], // class-validator's alpha-2 check ignores case
  [Lead, { ...lead, country: 'G1' }, false],
  [Lead, { ...lead, phone: 'p'.repeat(51) }, false],
  [Lead, { ...lead, source: ['web'] }, false],
  [Lead, {}, false],
  [ShipmentUpdate, shipment, true],
  [ShipmentUpdate, { ...shipment, sequence: undefined, trackingNumber: null }, true],
  [ShipmentUpdate, { ...shipment, status: 'lost' }, false],
  [ShipmentUpdate, { ...shipment, occurredAt: 'yesterday' }, false],
  [ShipmentUpdate, { ...shipment, sequence: -1 }, false],
  [ShipmentUpdate, { ...shipment, detail: 'd'.repeat(501) }, false],
  [OrderLine, { sku: 'a', title: 't', quantity: 1, unitPrice: '1.50' }, true],
  [OrderLine, { sku: 'a', title: 't', quantity: 1, unitPrice: '1.5.0' }, false],
  [OrderLine, { sku: 'a', title: 't', quantity: 0, unitPrice: '1' }, false],
  [Customer, { email: 'a@b.io' }, true],
  [Customer, { email: 'a@b.io', name: 3 }, false],
  [Address, { name: 'n', line1: 'l', city: 'c', postalCode: 'p', country: 'DE' }, true],
  [Address, { name: 'n', line1: 'l', city: 'c', postalCode: 'p'.repeat(21), country: 'DE' }, false],
  [LeadQualified, qualified, true],
  [LeadQualified, { ...qualified, reasons: ['a', 2] }, false],
  [LeadQualified, { ...qualified, reasons: 'a' }, false],
  [LeadQualified, { ...qualified, returning: 'no' }, false],
  [LeadDisqualified, { email: 'a@b.io', crmId: 'c', score: 0, reasons: [] }, true],
  [LeadDisqualified, { email: 'a@b.io', crmId: 'c', score: 101, reasons: [] }, false],
  [EmailRequested, { template: 'welcome', to: 'a@b.io', variables: {} }, true],
  [EmailRequested, { template: 'nope', to: 'a@b.io', variables: {} }, false],
  [EmailRequested, { template: 'welcome', to: 'a@b.io', variables: [] }, false],
  [OrderStatusChanged, { orderId: 'o', to: 'shipped', at: '2026-11-30T08:00:00Z' }, true],
  [OrderStatusChanged, { orderId: 'o', from: 'bogus', to: 'shipped', at: '2026-11-30T08:00:00Z' }, false],
];

describe('compiled contract validators', () => {
  it.each(CASES.map(([cls, data, valid], i) => [i, cls.name, valid, cls, data] as const))(
    'case %i: %s is %s by class-validator, by the compiled check and by validateAs',
    (_i, _name, valid, cls, data) => {
      const compiled = compileContract(cls);
      expect(compiled).toBeDefined();
      const reference = validateWithClassValidator(cls, { ...data });
      expect(reference.ok).toBe(valid);
      expect(compiled?.check({ ...data }) !== undefined).toBe(valid);
      const viaValidateAs = validateAs(cls, { ...data });
      expect(viaValidateAs.ok).toBe(valid);
      if (reference.ok && viaValidateAs.ok) {
        // Same instance class and the same record data once serialized (unknown properties stripped by both).
        expect(Object.getPrototypeOf(viaValidateAs.value)).toBe(cls.prototype);
        expect(JSON.stringify(viaValidateAs.value)).toBe(JSON.stringify(reference.value));
      } else if (!reference.ok && !viaValidateAs.ok) {
        expect(viaValidateAs.reason).toBe(reference.reason); // the reason still names the bad fields
      }
    },
  );

  it('does not compile classes with nested validation (class-validator keeps them)', () => {
    expect(compileContract(Order)).toBeUndefined();
  });

  it('agrees with class-validator on generated Lead-shaped data', () => {
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string({ maxLength: 60 }),
      fc.emailAddress(),
      fc.constantFrom('GB', 'us', 'ZZ', 'x'.repeat(201), 'y'.repeat(51), '', ' a@b.co'),
      fc.integer({ min: -5, max: 10_000_005 }),
      fc.double({ noNaN: false }),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
    );
    const fields = ['crmId', 'email', 'firstName', 'lastName', 'company', 'companySize', 'title', 'country', 'phone', 'source', 'other'];
    const leadLike = fc.record(Object.fromEntries(fields.map((f) => [f, anyValue])), { requiredKeys: [] });
    fc.assert(
      fc.property(leadLike, fc.constantFrom<ClassConstructor<object>>(Lead, ShipmentUpdate, Customer), (data, cls) => {
        const reference = validateWithClassValidator(cls, { ...data }).ok;
        const compiled = compileContract(cls);
        if (!compiled) throw new Error(`${cls.name} does not compile`);
        expect(compiled.check({ ...data }) !== undefined).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * A patched validator counter (a min/max length check) agrees with `reference`, the count validator defines,
 * on every string `strings` gives: exactly n passes, n - 1 as a maximum and n + 1 as a minimum fail.
 */
function agreesWithReference(
  check: (s: string, o: { min?: number; max?: number }) => boolean,
  reference: (s: string) => number,
  strings: fc.Arbitrary<string>,
): void {
  fc.assert(
    fc.property(strings, (s) => {
      const n = reference(s);
      expect(check(s, { min: n, max: n })).toBe(true);
      expect(check(s, { max: n - 1 })).toBe(false);
      expect(check(s, { min: n + 1 })).toBe(false);
    }),
    { numRuns: 3000 },
  );
}

/**
 * patches/validator+13.15.35.patch: isByteLength (isEmail's length checks) counts an ASCII string by its
 * length instead of encoding it; the count must stay the encodeURI count validator defines.
 */
describe('validator isByteLength (patched ASCII path)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const isByteLength = require('validator/lib/isByteLength') as (s: string, o: { min?: number; max?: number }) => boolean;
  const byteLength = (s: string) => encodeURI(s).split(/%..|./).length - 1;

  it('counts any ASCII or non-ASCII string as validator defines it', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    const mixed = fc.string({ unit: fc.constantFrom('a', '%', '\n', ' ', 'é', '✓', '😀', '\u2028'), maxLength: 40 });
    agreesWithReference(isByteLength, byteLength, fc.oneof(ascii, mixed));
  });

  it.each([
    ['a'.repeat(64) + '@example.com', true],
    ['a'.repeat(65) + '@example.com', false],
    ['é'.repeat(32) + '@example.com', true],
    ['é'.repeat(33) + '@example.com', false],
  ])('keeps the 64-byte local part limit of IsEmail for %s', (email, valid) => {
    expect(validateAs(Lead, { ...lead, email }).ok).toBe(valid);
  });
});

/**
 * patches/validator+13.15.35.patch: isLength (MaxLength, Length, MinLength) counts a string without
 * surrogates or variation selectors by its length instead of matching it twice; the count must stay the one
 * validator defines (a surrogate pair or a character with its variation selector counts once).
 */
describe('validator isLength (patched simple-string path)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const isLength = require('validator/lib/isLength') as (s: string, o: { min?: number; max?: number }) => boolean;
  const length = (s: string) => s.length - (s.match(/[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g) || []).length - (s.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g) || []).length;

  it('counts any string as validator defines it', () => {
    const simple = fc.string({ unit: fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    const tricky = fc.string({ unit: fc.constantFrom('a', 'é', '\uFE0F', '\uFE0E', '😀', '\uD800', '\uDC00', '\u2764'), maxLength: 40 });
    agreesWithReference(isLength, length, fc.oneof(simple, tricky));
  });

  it.each([
    ['x'.repeat(200), true],
    ['x'.repeat(201), false],
    ['😀'.repeat(200), true], // 400 UTF-16 units, 200 characters
    ['\u2764\uFE0F'.repeat(200), true],
    ['\u2764\uFE0F'.repeat(201), false],
  ])('keeps MaxLength(200) of a lead field for %#', (company, valid) => {
    expect(validateAs(Lead, { ...lead, company }).ok).toBe(valid);
  });
});
