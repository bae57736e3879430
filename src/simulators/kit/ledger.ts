/**
 * Every write a simulator applied, in order. Tests read it to prove "posted exactly once":
 * a replayed idempotent request or a rejected write adds nothing here.
 */
export type LedgerKind = 'sale' | 'adjustment' | 'physical_count' | 'stock_order' | 'stock_set';
/** `api` = received through the POS API; `in_store` = made at the till (admin API, activity generator). */
export type LedgerSource = 'api' | 'in_store';

export interface LedgerEntry {
  seq: number;
  at: string;
  source: LedgerSource;
  kind: LedgerKind;
  item: string;
  location: string;
  /** Signed change for sales/adjustments/stock orders; the absolute count for counts and sets. */
  quantity: number;
  reference?: string;
  idempotencyKey?: string;
  /** The POS's own id for the record (sale id, change id, inventory input id). */
  posId?: string;
  endpoint?: string;
}

export class Ledger {
  private entries: LedgerEntry[] = [];
  private nextSeq = 1;

  constructor(private readonly now: () => number) {}

  record(entry: Omit<LedgerEntry, 'seq' | 'at'>): LedgerEntry {
    const full: LedgerEntry = { seq: this.nextSeq++, at: new Date(this.now()).toISOString(), ...entry };
    this.entries.push(full);
    return full;
  }

  list(filter: { source?: LedgerSource; kind?: LedgerKind; reference?: string } = {}): LedgerEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.source === undefined || e.source === filter.source) &&
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.reference === undefined || e.reference === filter.reference),
    );
  }

  clear(): void {
    this.entries = [];
    this.nextSeq = 1;
  }
}
