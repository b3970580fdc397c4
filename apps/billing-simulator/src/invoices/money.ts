/** Decimal strings to integer ten-thousandths and back: invoice totals never pass through floats. */
const SCALE = 10_000n;

export function toUnits(amount: string): bigint {
  const [whole, frac = ''] = amount.split('.');
  return BigInt(whole) * SCALE + BigInt((frac + '0000').slice(0, 4));
}

/** At least two decimals ("12.50"), more only when needed ("0.125"). */
export function fromUnits(units: bigint): string {
  let frac = (units % SCALE).toString().padStart(4, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${units / SCALE}.${frac}`;
}
