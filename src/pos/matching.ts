import { PosNotFoundError } from './errors.ts';
import type { CatalogItem, ItemQuery, PosAdapter } from './contract.ts';

/**
 * Resolves a query to exactly one catalog item. Exact matches are compared case- and
 * space-insensitively; when none exists, the error lists the closest candidates the POS offered.
 */
export async function findItem(adapter: PosAdapter, query: ItemQuery): Promise<CatalogItem> {
  if ('posItemId' in query) {
    const [item] = await adapter.getItems([query.posItemId]);
    if (item) return item;
    throw new PosNotFoundError(`no item with POS id "${query.posItemId}"`);
  }
  const wanted = 'name' in query ? query.name : query.sku;
  const field = 'name' in query ? 'name' : 'sku';
  const candidates = await adapter.searchItems(wanted);
  const exact = candidates.filter((c) => normalise(field === 'name' ? c.name : c.sku) === normalise(wanted));
  if (exact.length === 1 && exact[0]) return exact[0];
  if (exact.length > 1) {
    throw new PosNotFoundError(`${exact.length} items have the ${field} "${wanted}"; register by POS id instead`, exact.slice(0, 5));
  }
  const close = rankByCloseness(wanted, candidates, (c) => (field === 'name' ? c.name : (c.sku ?? ''))).slice(0, 5);
  const hint = close.length ? `; close matches: ${close.map((c) => `"${c.name}" (${c.posItemId})`).join(', ')}` : '';
  throw new PosNotFoundError(`no item with the ${field} "${wanted}"${hint}`, close);
}

function normalise(text: string | undefined): string {
  return (text ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function rankByCloseness<T>(wanted: string, items: readonly T[], key: (item: T) => string): T[] {
  const target = normalise(wanted);
  return items
    .map((item) => ({ item, distance: editDistance(target, normalise(key(item))) }))
    .sort((a, b) => a.distance - b.distance)
    .map((x) => x.item);
}

/** Levenshtein distance, two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
