import { invalid } from './errors.ts';

/**
 * Reads request fields the way Hiboutik does: JSON numbers and form strings are both fine
 * ("3" and 3 are the same quantity). Errors name the field in `details`, as Hiboutik's do.
 */
export type Body = Record<string, unknown>;

export function asBody(value: unknown): Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};
}

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

export function intField(body: Body, name: string, fallback?: number): number {
  const value = body[name];
  if (!present(value)) {
    if (fallback !== undefined) return fallback;
    throw invalid(`Missing parameter ${name}`, { [name]: 'This field is required' });
  }
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number)) throw invalid(`Parameter ${name} must be an integer`, { [name]: 'This field must be an integer' });
  return number;
}

/** First of several accepted names (`size_id` or `product_size`). */
export function intFieldAny(body: Body, names: string[], fallback: number): number {
  const name = names.find((n) => present(body[n]));
  return name === undefined ? fallback : intField(body, name);
}

export function textField(body: Body, name: string, fallback?: string): string {
  const value = body[name];
  if (!present(value)) {
    if (fallback !== undefined) return fallback;
    throw invalid(`Missing parameter ${name}`, { [name]: 'This field is required' });
  }
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`Parameter ${name} must be text`, { [name]: 'This field must be text' });
  return String(value);
}

/** A price in currency units ("12.5", 12.5) → cents; undefined when absent. */
export function priceField(body: Body, name: string): number | undefined {
  const value = body[name];
  if (!present(value)) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(',', '.')) : NaN;
  if (!Number.isFinite(number)) throw invalid(`Parameter ${name} must be a number`, { [name]: 'This field must be a number' });
  return Math.round(number * 100);
}

export function pathInt(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw invalid(`Parameter ${name} must be an integer`, { [name]: 'This field must be an integer' });
  return Number(value);
}
