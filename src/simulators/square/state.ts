import type { SeedFile } from '../kit/seed.ts';
import type { SimulatorKit } from '../kit/server.ts';
import type { LedgerSource } from '../kit/ledger.ts';
import { Catalog } from './catalog.ts';
import { InventoryStore, type CountRow } from './inventory.ts';
import type { ParsedChange } from './changes.ts';
import { formatQuantity, UNITS } from './quantity.ts';
import { randomId } from './ids.ts';

/** Everything the Square simulator knows: catalog, locations, inventory history, idempotency keys. */
export interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
}

export interface WriteMeta {
  source: LedgerSource;
  idempotencyKey?: string;
  endpoint?: string;
  /** Skip a physical count equal to the current count (BatchChangeInventory's ignore_unchanged_counts). */
  ignoreUnchangedCounts?: boolean;
}

export interface AppliedBatch {
  changes: Record<string, unknown>[];
  /** Listed rows of every (variation, location) the batch touched. */
  counts: CountRow[];
  /** Rows whose quantity moved, SOLD included: what the webhook reports. */
  moved: CountRow[];
}

export interface StateOptions {
  seed: SeedFile;
  kit: SimulatorKit;
  merchantId: string;
  applicationId: string;
  currency: string;
  /** When the seeded counts were taken (ms); fixed at start so reset() rebuilds the same state. */
  seededAt: number;
}

export class SquareState {
  readonly catalog: Catalog;
  readonly inventory = new InventoryStore();
  readonly idempotency = new Map<string, StoredAnswer>();
  readonly locations: Record<string, unknown>[];
  private readonly locationIds: Set<string>;
  /** Called after each write with the rows that moved (webhook emission hooks in here). */
  onMoved: (rows: CountRow[]) => void = () => {};

  constructor(private readonly options: StateOptions) {
    this.catalog = new Catalog(options.seed, { currency: options.currency, updatedAt: options.seededAt });
    this.locationIds = new Set(options.seed.locations.map((l) => l.id));
    const createdAt = new Date(options.seededAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.locations = [...options.seed.locations]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((l) => ({
        id: l.id,
        name: l.name,
        status: 'ACTIVE',
        type: 'PHYSICAL',
        merchant_id: options.merchantId,
        business_name: 'possync demo shop',
        country: 'US',
        language_code: 'en-US',
        currency: options.currency,
        timezone: 'America/Los_Angeles',
        created_at: createdAt,
        capabilities: ['CREDIT_CARD_PROCESSING'],
      }));
    this.reset();
  }

  hasLocation(id: string): boolean {
    return this.locationIds.has(id);
  }

  /** Back to the seed: one physical count per seeded (variation, location), spaced 1 ms apart. */
  reset(): void {
    this.inventory.clear();
    this.idempotency.clear();
    this.options.seed.items.forEach((item, index) => {
      const at = this.options.seededAt + index;
      for (const [location, quantity] of Object.entries(item.stock)) {
        this.inventory.apply(item.id, location, 'IN_STOCK', { kind: 'count', units: quantity * UNITS, occurredAt: at, createdAt: at });
      }
    });
  }

  countJson(row: CountRow): Record<string, unknown> {
    return {
      catalog_object_id: row.variationId,
      catalog_object_type: 'ITEM_VARIATION',
      state: row.state,
      location_id: row.locationId,
      quantity: formatQuantity(row.units),
      calculated_at: new Date(row.calculatedAt).toISOString(),
      is_estimated: false,
    };
  }

  /** Applies checked changes in order, journals them in the kit ledger and reports moved rows. */
  apply(changes: ParsedChange[], meta: WriteMeta): AppliedBatch {
    const kit = this.options.kit;
    const createdAtMs = kit.clock.now();
    const createdAt = new Date(createdAtMs).toISOString();
    const moved = new Map<CountRow, true>();
    const touched = new Map<string, { variationId: string; locationId: string }>();
    const out: Record<string, unknown>[] = [];
    const source = { product: meta.source === 'api' ? 'EXTERNAL_API' : 'SQUARE_POS', application_id: this.options.applicationId, name: meta.source === 'api' ? 'possync simulator client' : 'Square Point of Sale' };
    const record = (row: { changed: boolean; row: CountRow }) => {
      if (row.changed) moved.set(row.row, true);
      touched.set(`${row.row.variationId}|${row.row.locationId}`, { variationId: row.row.variationId, locationId: row.row.locationId });
    };
    for (const change of changes) {
      const id = randomId(kit.random, 26);
      const echo = pickEcho(change.source);
      const common = { id, ...echo, catalog_object_id: change.catalogObjectId, catalog_object_type: 'ITEM_VARIATION', quantity: formatQuantity(change.units), occurred_at: new Date(change.occurredAt).toISOString(), created_at: createdAt, source };
      const reference = typeof change.source.reference_id === 'string' ? change.source.reference_id : undefined;
      const ledgerBase = { source: meta.source, item: change.catalogObjectId, posId: id, ...(reference === undefined ? {} : { reference }), ...(meta.idempotencyKey === undefined ? {} : { idempotencyKey: meta.idempotencyKey }), ...(meta.endpoint === undefined ? {} : { endpoint: meta.endpoint }) };
      if (change.type === 'PHYSICAL_COUNT') {
        out.push({ type: 'PHYSICAL_COUNT', physical_count: { ...common, state: change.state, location_id: change.locationId } });
        const current = this.inventory.get(change.catalogObjectId, change.locationId, change.state);
        const latest = current?.effects[current.effects.length - 1];
        const unchanged = meta.ignoreUnchangedCounts === true && current !== undefined && current.units === change.units && (latest === undefined || change.occurredAt >= latest.occurredAt);
        if (unchanged) {
          touched.set(`${change.catalogObjectId}|${change.locationId}`, { variationId: change.catalogObjectId, locationId: change.locationId });
          continue;
        }
        record(this.inventory.apply(change.catalogObjectId, change.locationId, change.state, { kind: 'count', units: change.units, occurredAt: change.occurredAt, createdAt: createdAtMs }));
        kit.ledger.record({ ...ledgerBase, kind: 'physical_count', location: change.locationId, quantity: change.units / UNITS });
        continue;
      }
      const locations = change.form === 'legacy' ? { location_id: change.fromLocationId } : { from_location_id: change.fromLocationId, to_location_id: change.toLocationId };
      const price = this.catalog.variation(change.catalogObjectId)?.priceCents ?? 0;
      const money = change.toState === 'SOLD' ? { total_price_money: { amount: Math.round((price * change.units) / UNITS), currency: this.options.currency } } : {};
      out.push({ type: 'ADJUSTMENT', adjustment: { ...common, from_state: change.fromState, to_state: change.toState, ...locations, ...money } });
      // NONE and UNLINKED_RETURN are sources outside the counts: nothing to take from.
      if (change.fromState !== 'NONE' && change.fromState !== 'UNLINKED_RETURN') {
        record(this.inventory.apply(change.catalogObjectId, change.fromLocationId, change.fromState, { kind: 'delta', units: -change.units, occurredAt: change.occurredAt, createdAt: createdAtMs }));
      }
      record(this.inventory.apply(change.catalogObjectId, change.toLocationId, change.toState, { kind: 'delta', units: change.units, occurredAt: change.occurredAt, createdAt: createdAtMs }));
      this.journalAdjustment(change, ledgerBase);
    }
    const counts: CountRow[] = [];
    for (const { variationId, locationId } of touched.values()) {
      for (const row of this.inventory.rowsOf(variationId)) if (row.locationId === locationId && row.listed) counts.push(row);
    }
    const movedRows = [...moved.keys()];
    if (movedRows.length > 0) this.onMoved(movedRows);
    return { changes: out, counts, moved: movedRows };
  }

  /** Ledger entries for one adjustment: a sale, or the signed effect on IN_STOCK per location. */
  private journalAdjustment(change: Extract<ParsedChange, { type: 'ADJUSTMENT' }>, base: Omit<Parameters<SimulatorKit['ledger']['record']>[0], 'kind' | 'location' | 'quantity'>): void {
    const ledger = this.options.kit.ledger;
    const quantity = change.units / UNITS;
    if (change.toState === 'SOLD') {
      ledger.record({ ...base, kind: 'sale', location: change.fromLocationId, quantity: -quantity });
      return;
    }
    const effects = new Map<string, number>();
    if (change.fromState === 'IN_STOCK') effects.set(change.fromLocationId, (effects.get(change.fromLocationId) ?? 0) - quantity);
    if (change.toState === 'IN_STOCK') effects.set(change.toLocationId, (effects.get(change.toLocationId) ?? 0) + quantity);
    if (effects.size === 0) effects.set(change.toLocationId, 0);
    for (const [location, delta] of effects) ledger.record({ ...base, kind: 'adjustment', location, quantity: delta });
  }
}

/** Client fields Square stores with a change and echoes back. */
function pickEcho(source: Record<string, unknown>): Record<string, unknown> {
  const echo: Record<string, unknown> = {};
  for (const name of ['reference_id', 'team_member_id', 'employee_id'] as const) {
    if (typeof source[name] === 'string') echo[name] = source[name];
  }
  return echo;
}
