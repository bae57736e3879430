import type { CatalogItem, CatalogPage } from '../contract.ts';
import type { SquareApi } from './api.ts';
import type { SquareCaller } from './calls.ts';
import { parseBatchGet, parseItemsPage, parseSearchItems, type ItemRecord, type VariationRecord } from './shapes.ts';

/**
 * Names and SKUs from the Catalog API, always batched (the original made two GETs per item).
 *
 * Naming: a posItemId is an item *variation*. A variation that is its item's only one is named by
 * the item ("Blue Mug"); one of several is "Item - Variation" ("T-shirt - Large"), the form the
 * original app used, so siblings never share a name. A search for the long form of a
 * single-variation item ("Blue Mug - Regular", as the original named everything) still finds it
 * under that name, so old scripts that register by item_name keep working.
 */
export const LOOKUP_BATCH_SIZE = 1000;
/** How long a variation confirmed in the catalog is trusted without asking again. */
const KNOWN_FOR_MS = 60 * 60 * 1000;

/** Variation ids the catalog is known to hold, learnt from lookups, searches and existence checks. */
export class KnownVariations {
  private readonly learntAt = new Map<string, number>();

  constructor(
    private readonly api: SquareApi,
    private readonly caller: SquareCaller,
    private readonly now: () => number,
  ) {}

  remember(id: string): void {
    this.learntAt.set(id, this.now());
  }

  private knows(id: string): boolean {
    const at = this.learntAt.get(id);
    return at !== undefined && this.now() - at < KNOWN_FOR_MS;
  }

  /** The ids the catalog holds as live variations; asks Square only about ids not known yet. */
  async filterExisting(ids: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const ask = ids.filter((id) => !this.knows(id));
    for (let i = 0; i < ask.length; i += LOOKUP_BATCH_SIZE) {
      const { objects } = await this.caller.run(
        { label: 'catalog batch-retrieve', scope: 'ITEMS_READ' },
        async () => parseBatchGet(await this.api.catalogBatchGet(ask.slice(i, i + LOOKUP_BATCH_SIZE), false, signal), 'catalog batch-retrieve'),
        signal,
      );
      for (const object of objects) if (object.type === 'ITEM_VARIATION' && !object.variation.deleted) this.remember(object.variation.id);
    }
    return ids.filter((id) => this.knows(id));
  }
}

const normalise = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

function nameOf(variation: VariationRecord, item: ItemRecord | undefined): string {
  if (!item) return variation.name ?? variation.id;
  const siblings = item.variations.filter((v) => !v.deleted).length;
  if (siblings <= 1 || !variation.name) return item.name || variation.name || variation.id;
  return `${item.name} - ${variation.name}`;
}

function toCatalogItem(variation: VariationRecord, name: string): CatalogItem {
  return {
    posItemId: variation.id,
    name,
    ...(variation.sku ? { sku: variation.sku } : {}),
    ...(variation.upc ? { barcode: variation.upc } : {}),
    ...(variation.priceCents === undefined ? {} : { priceCents: variation.priceCents }),
  };
}

/**
 * Texts to try, cheapest first, stopping at the first that finds anything: the text as given
 * (a spaced " - " dropped, since it is how names are joined, not a word); then, for a typo,
 * the text without its last word, then its longest word alone (a one-word text loses its last
 * character instead). At most three calls for a name that matches nothing.
 */
export function searchTexts(text: string): string[] {
  const cleaned = text.replace(/\s+-\s+/g, ' ').trim().replace(/\s+/g, ' ');
  if (cleaned === '') return [];
  const words = cleaned.split(' ');
  const tries = [cleaned];
  if (words.length >= 2) {
    tries.push(words.slice(0, -1).join(' '));
    tries.push([...words].sort((a, b) => b.length - a.length)[0]!);
  } else if (cleaned.length >= 4) {
    tries.push(cleaned.slice(0, -1));
  }
  return [...new Set(tries)];
}

export class CatalogReader {
  constructor(
    private readonly api: SquareApi,
    private readonly caller: SquareCaller,
    private readonly known: KnownVariations,
  ) {}

  async getItems(posItemIds: readonly string[]): Promise<CatalogItem[]> {
    const wanted = [...new Set(posItemIds)];
    const found = new Map<string, CatalogItem>();
    for (let i = 0; i < wanted.length; i += LOOKUP_BATCH_SIZE) {
      const chunk = wanted.slice(i, i + LOOKUP_BATCH_SIZE);
      const answer = await this.caller.run({ label: 'catalog batch-retrieve', scope: 'ITEMS_READ' }, async () =>
        parseBatchGet(await this.api.catalogBatchGet(chunk, true), 'catalog batch-retrieve'),
      );
      const items = new Map<string, ItemRecord>();
      for (const object of [...answer.objects, ...answer.related]) if (object.type === 'ITEM') items.set(object.item.id, object.item);
      const asked = new Set(chunk);
      for (const object of answer.objects) {
        // An ITEM id is not a sellable unit (counts and sales are per variation): left out.
        if (object.type !== 'ITEM_VARIATION' || object.variation.deleted || !asked.has(object.variation.id)) continue;
        const variation = object.variation;
        this.known.remember(variation.id);
        found.set(variation.id, toCatalogItem(variation, nameOf(variation, variation.itemId ? items.get(variation.itemId) : undefined)));
      }
    }
    return wanted.flatMap((id) => {
      const item = found.get(id);
      return item ? [item] : [];
    });
  }

  /** Every live variation, from ITEM pages of 1000 (variations come nested in their item). */
  async *readAll(signal?: AbortSignal): AsyncGenerator<CatalogPage, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.caller.run(
        { label: 'catalog search', scope: 'ITEMS_READ' },
        async () => parseItemsPage(await this.api.listItems(cursor, signal), 'catalog search'),
        signal,
      );
      const items = page.items.flatMap((item) => {
        if (item.deleted) return [];
        return item.variations
          .filter((variation) => !variation.deleted)
          .map((variation) => {
            // Counts read next need not ask the catalog again whether these exist.
            this.known.remember(variation.id);
            return toCatalogItem(variation, nameOf(variation, item));
          });
      });
      yield { items };
      cursor = page.cursor;
      signal?.throwIfAborted();
    } while (cursor);
  }

  async searchItems(text: string): Promise<CatalogItem[]> {
    for (const attempt of searchTexts(text)) {
      const answer = await this.caller.run({ label: 'catalog search-catalog-items', scope: 'ITEMS_READ' }, async () =>
        parseSearchItems(await this.api.searchItems(attempt), 'catalog search-catalog-items'),
      );
      if (answer.items.length > 0) return this.candidates(answer.items, answer.matchedVariationIds, text);
    }
    return [];
  }

  private candidates(items: ItemRecord[], matched: Set<string>, text: string): CatalogItem[] {
    const wanted = normalise(text);
    return items.flatMap((item) => {
      if (item.deleted) return [];
      const live = item.variations.filter((v) => !v.deleted);
      // Matched by the item's own name: every variation is a candidate.
      const chosen = live.some((v) => matched.has(v.id)) ? live.filter((v) => matched.has(v.id)) : live;
      return chosen.map((variation) => {
        this.known.remember(variation.id);
        const long = variation.name ? `${item.name} - ${variation.name}` : item.name;
        return toCatalogItem(variation, normalise(long) === wanted ? long : nameOf(variation, item));
      });
    });
  }
}
