/**
 * The in-memory sale ledger behind FakeService: real behaviour over maps (the reservation with its
 * `available − quantity ≥ limit_quantity` floor, keys with a body hash, the state moves), so API
 * tests see what a client of the real ledger would. Dispatch is driven by the test (`dispatch`,
 * `settle`), standing in for the job worker.
 */
import {
  EngineInputError,
  type ItemView,
  type SaleIntakeResult,
  type SaleLedger,
  type SaleRequest,
  type SaleState,
  type SaleView,
} from '../engine/ports.ts';

/** What the ledger needs of FakeService (structural, so the two files do not import each other). */
export interface FakeSalesOwner {
  maybeFail(): void;
  items: { mappings: Map<string, ItemView> };
}

export class FakeSales implements SaleLedger {
  /** By id, in creation order (the list reads it backwards for newest first). */
  readonly sales = new Map<string, SaleView>();
  private readonly keys = new Map<string, { hash: string; id: string }>();
  private nextId = 1;
  private tick = 0;

  constructor(private readonly owner: FakeSalesOwner) {}

  /** A distinct, increasing time per event, so histories read in order. */
  private now(): string {
    return new Date(Date.UTC(2026, 10, 27, 7, 0, this.tick++)).toISOString();
  }

  private mapping(ecommerceId: string): ItemView | undefined {
    return [...this.owner.items.mappings.values()].find((m) => m.ecommerceId === ecommerceId);
  }

  private move(sale: SaleView, to: SaleState, reason: string): SaleView {
    const at = this.now();
    sale.history.push({ from: sale.state, to, at, reason });
    sale.state = to;
    sale.updatedAt = at;
    return sale;
  }

  private find(id: string): SaleView {
    const sale = this.sales.get(id);
    if (!sale) throw new EngineInputError('id', `No sale "${id}"`, 404);
    return sale;
  }

  async accept(request: SaleRequest): Promise<SaleIntakeResult> {
    this.owner.maybeFail();
    if (!Number.isInteger(request.quantity) || request.quantity < 1) throw new EngineInputError('delta', 'delta must be a whole number ≥ 1');
    if (!Number.isInteger(request.amountCents) || request.amountCents < 0) throw new EngineInputError('balance', 'balance must be a whole number of cents ≥ 0');
    // The key covers everything the client sent, so a changed reference is another body too.
    const hash = JSON.stringify([request.ecommerceId, request.quantity, request.amountCents, request.reference ?? null]);
    const key = request.idempotencyKey;
    const prior = key === undefined ? undefined : this.keys.get(key);
    if (prior) {
      if (prior.hash !== hash) {
        throw new EngineInputError('idempotency_key', `Key "${key}" was used for sale ${prior.id} with another body`, 422, { saleId: prior.id });
      }
      const sale = this.find(prior.id);
      return { outcome: 'accepted', sale: { id: sale.id, state: sale.state }, replayed: true };
    }
    const item = this.mapping(request.ecommerceId);
    if (!item) throw new EngineInputError('item_ecommerce_id', `No mapped item "${request.ecommerceId}"`, 404);
    if (item.available === null || item.available - request.quantity < item.limitQuantity) {
      return { outcome: 'insufficient', available: item.available, limitQuantity: item.limitQuantity };
    }
    item.available -= request.quantity;
    const at = this.now();
    const sale: SaleView = {
      id: `sale-${this.nextId++}`,
      state: 'accepted',
      ecommerceId: item.ecommerceId,
      accountId: item.accountId,
      posItemId: item.posItemId,
      quantity: request.quantity,
      amountCents: request.amountCents,
      reference: request.reference ?? null,
      idempotencyKey: key ?? null,
      attempts: 0,
      lastError: null,
      posReference: null,
      createdAt: at,
      updatedAt: at,
      history: [{ from: null, to: 'accepted', at, reason: 'received' }],
    };
    this.sales.set(sale.id, sale);
    if (key !== undefined) this.keys.set(key, { hash, id: sale.id });
    return { outcome: 'accepted', sale: { id: sale.id, state: sale.state }, replayed: false };
  }

  async get(id: string): Promise<SaleView | null> {
    this.owner.maybeFail();
    return this.sales.get(id) ?? null;
  }

  async list(query: { state?: SaleState; limit?: number; before?: string }): Promise<SaleView[]> {
    this.owner.maybeFail();
    let newest = [...this.sales.values()].reverse();
    if (query.before !== undefined) {
      const at = newest.findIndex((s) => s.id === query.before);
      // Like the real ledger's `seq < (select seq … where id = before)`: unknown → nothing.
      newest = at < 0 ? [] : newest.slice(at + 1);
    }
    if (query.state !== undefined) newest = newest.filter((s) => s.state === query.state);
    return newest.slice(0, query.limit ?? 50);
  }

  async retry(id: string): Promise<SaleView> {
    this.owner.maybeFail();
    const sale = this.find(id);
    if (sale.state !== 'failed') throw new EngineInputError('id', `Sale ${id} is ${sale.state}; only a failed sale can be retried`, 409, { state: sale.state });
    sale.attempts++;
    return this.move(sale, 'dispatching', 'retry requested');
  }

  async cancel(id: string, reason?: string): Promise<SaleView> {
    this.owner.maybeFail();
    const sale = this.find(id);
    if (sale.state !== 'accepted' && sale.state !== 'failed') {
      throw new EngineInputError('id', `Sale ${id} is ${sale.state}; only an accepted or failed sale can be cancelled`, 409, { state: sale.state });
    }
    const item = this.mapping(sale.ecommerceId);
    if (item && item.available !== null) item.available += sale.quantity;
    return this.move(sale, 'cancelled', reason ?? 'cancelled');
  }

  // ---- the job worker's part, driven by tests ----

  /** accepted → dispatching, one attempt started. */
  dispatch(id: string): SaleView {
    const sale = this.find(id);
    sale.attempts++;
    return this.move(sale, 'dispatching', 'dispatch started');
  }

  /** dispatching → posted (with the POS's id) or failed (with the error text). */
  settle(id: string, outcome: { posReference: string } | { error: string }): SaleView {
    const sale = this.find(id);
    if ('error' in outcome) {
      sale.lastError = outcome.error;
      return this.move(sale, 'failed', outcome.error);
    }
    sale.posReference = outcome.posReference;
    return this.move(sale, 'posted', 'posted to the POS');
  }
}
