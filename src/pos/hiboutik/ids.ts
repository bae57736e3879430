/**
 * Hiboutik identifies a sellable unit by product id plus size (0 = no sizes). possync's item id is
 * "{product_id}" for size 0 and "{product_id}:{size}" otherwise, as the simulator ledger names it.
 */
export interface HiboutikItemRef {
  productId: number;
  size: number;
}

export function formatItemId(productId: number, size: number): string {
  return size === 0 ? String(productId) : `${productId}:${size}`;
}

/** Null for anything that cannot be a Hiboutik item (so it is "unknown" without an API call). */
export function parseItemId(posItemId: string): HiboutikItemRef | null {
  const match = /^([1-9]\d{0,15})(?::(\d{1,15}))?$/.exec(posItemId.trim());
  if (!match) return null;
  return { productId: Number(match[1]), size: match[2] === undefined ? 0 : Number(match[2]) };
}

/** Hiboutik sends ids as numbers in newer payloads and numeric strings in older ones. */
export function readId(value: unknown): number | null {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(number) && number >= 0 ? number : null;
}

/** The canonical form only ("12", "12:3"; not "12:0" or " 12"), so answers use the caller's own ids. */
export function isItemId(posItemId: string): boolean {
  const ref = parseItemId(posItemId);
  return ref !== null && formatItemId(ref.productId, ref.size) === posItemId;
}
