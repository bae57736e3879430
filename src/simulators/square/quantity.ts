/**
 * Square quantities are decimal strings with up to 5 fractional digits. They are kept as integer
 * units of 1e-5 so sums never drift the way binary floats would.
 */
export const UNITS = 100_000;
const DECIMAL = /^-?\d{1,20}(\.\d{1,5})?$/;

/** null when the text is not a decimal Square would take. */
export function parseQuantity(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const units = Number(whole) * UNITS + Number(fraction.padEnd(5, '0'));
  if (!Number.isSafeInteger(units)) return null;
  return negative ? -units : units;
}

export function formatQuantity(units: number): string {
  const negative = units < 0;
  const abs = Math.abs(units);
  const whole = Math.floor(abs / UNITS);
  const fraction = String(abs % UNITS).padStart(5, '0').replace(/0+$/, '');
  return `${negative && abs !== 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export const toUnits = (count: number): number => Math.round(count * UNITS);
export const fromUnits = (units: number): number => units / UNITS;
