import { PosBadResponseError } from './errors.ts';

/**
 * Turns a POS quantity (Square's decimal strings such as "3.50000", Lightspeed's integer strings,
 * Hiboutik's numbers or numeric strings) into whole units. Fractions are rounded **down**, so a
 * fractional unit (2.5 kg of something sold per unit) never becomes an extra sellable unit;
 * negative counts keep their sign (the core floors available at 0).
 */
export function toWholeUnits(value: unknown, what: string): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new PosBadResponseError(`${what}: quantity ${JSON.stringify(value)} is not a number`);
  return Math.floor(number + 1e-9);
}
