import type { Core } from '../../core/open.ts';
import { getSale, historyOf, listSales, moveSale, partsOf, releaseReservation, type SaleRow, type TransitionRow } from '../../core/sales/ledger.ts';
import { canMove } from '../../core/sales/states.ts';
import type { JobsPort } from '../jobs-port.ts';
import { cancelSplitSale, retrySplitSale } from './split-actions.ts';
import { EngineInputError, type CancelledSaleView, type SaleIntakeResult, type SaleLedger, type SalePartView, type SaleRequest, type SaleState, type SaleView } from '../ports.ts';
import type { SaleIntake } from './intake.ts';

/** The sale ledger as the API sees it: intake, reads, and the operator's retry and cancel. */
export class SalesService implements SaleLedger {
  constructor(
    private readonly core: Core,
    private readonly jobs: JobsPort,
    private readonly intake: SaleIntake,
    private readonly afterRelease: (accountId: string) => void,
  ) {}

  accept(request: SaleRequest): Promise<SaleIntakeResult> {
    return this.intake.accept(request);
  }

  async get(id: string): Promise<SaleView | null> {
    const found = await getSale(this.core.sql, id);
    return found ? toView(found.sale, found.history, found.parts) : null;
  }

  async list(query: { state?: SaleState; limit?: number; before?: string }): Promise<SaleView[]> {
    const rows = await listSales(this.core.sql, { state: query.state, before: query.before, limit: Math.min(Math.max(query.limit ?? 50, 1), 500) });
    const parts = await partsOf(this.core.sql, rows.map((r) => r.id));
    const history = await historyOf(this.core.sql, [...rows, ...parts].map((r) => r.id));
    return rows.map((row) => {
      const own = parts.filter((p) => p.parent_id === row.id);
      const ids = new Set([row.id, ...own.map((p) => p.id)]);
      return toView(row, history.filter((h) => ids.has(h.sale_id)), own);
    });
  }

  /**
   * Puts a failed or incomplete sale back to the dispatcher. Never a blind re-post: the adapter
   * looks the sale up on the POS first and finishes only what is missing (an incomplete Hiboutik
   * sale is closed, its line not added again; a sale completed by hand is marked posted).
   */
  async retry(id: string, reason?: string): Promise<SaleView> {
    const why = `retry asked by an operator${reason?.trim() ? ` (${reason.trim()})` : ''}`;
    const split = await this.splitParts(id);
    if (split) {
      await retrySplitSale(this.core, this.jobs, split, why);
      return (await this.get(id))!;
    }
    const sale = await this.existing(id);
    if (sale.state !== 'failed' && sale.state !== 'incomplete') {
      throw new EngineInputError('id', `sale ${id} is ${sale.state}; only a failed or incomplete sale can be retried`, 409);
    }
    await this.core.sql.transaction(async (tx) => {
      const moved = await moveSale(tx, id, { from: [sale.state], to: 'dispatching', reason: why });
      if (!moved) throw new EngineInputError('id', `sale ${id} changed state meanwhile; look again`, 409);
      await this.jobs.queueDispatch(moved.account_id, tx);
    });
    return (await this.get(id))!;
  }

  /**
   * Cancels a sale the POS does not have, releasing its units. An incomplete sale is held on the
   * POS (its line, an open sale): releasing its units then would count them twice once the POS
   * finishes it, so it is cancelled only when the operator says it was removed from the POS.
   * A split sale's id cancels every part its POS does not have (split-actions.ts).
   */
  async cancel(id: string, reason?: string, options: { removedFromPos?: boolean } = {}): Promise<CancelledSaleView> {
    const split = await this.splitParts(id);
    if (split) {
      const done = await cancelSplitSale(this.core, split, reason?.trim() || 'no reason given', options.removedFromPos === true);
      for (const account of done.accounts) this.afterRelease(account);
      return { ...(await this.get(id))!, notCancelled: done.notCancelled };
    }
    const sale = await this.existing(id);
    if (!canMove(sale.state, 'cancelled')) {
      throw new EngineInputError('id', `sale ${id} is ${sale.state}; only an accepted, failed or incomplete sale can be cancelled`, 409);
    }
    if (sale.state === 'incomplete' && options.removedFromPos !== true) {
      throw new EngineInputError(
        'removed_from_pos',
        `sale ${id} is incomplete: the POS holds it as ${sale.posReference ?? '(unknown)'}. Finish it there and retry it here, ` +
          'or delete it there and cancel it here with removed_from_pos: true',
        409,
      );
    }
    const from = sale.state === 'incomplete' ? (['incomplete'] as const) : (['accepted', 'failed'] as const);
    const accountId = await this.core.sql.transaction(async (tx) => {
      const why = `${reason?.trim() || 'no reason given'}${sale.state === 'incomplete' ? `; the operator says sale ${sale.posReference ?? ''} was removed from the POS` : ''}`;
      const moved = await moveSale(tx, id, { from, to: 'cancelled', reason: `cancelled: ${why}` });
      if (!moved) throw new EngineInputError('id', `sale ${id} changed state meanwhile (a dispatch may have started); look again`, 409);
      await releaseReservation(tx, moved.ecommerce_id, id, moved.account_id);
      return moved.account_id;
    });
    this.afterRelease(accountId);
    return (await this.get(id))!;
  }

  /** Every part of a split sale (the first one, whose id is the sale's, first), or null when `id` is no split sale's. */
  private async splitParts(id: string): Promise<SaleRow[] | null> {
    const found = await getSale(this.core.sql, id);
    return found && found.parts.length > 0 ? [found.sale, ...found.parts] : null;
  }

  private async existing(id: string): Promise<SaleView> {
    const sale = await this.get(id);
    if (!sale) throw new EngineInputError('id', `no sale has the id "${id}"`, 404);
    return sale;
  }
}

/** A split sale's state from its parts' (ports.ts SaleView.parts). */
const STATE_RANK: readonly SaleState[] = ['failed', 'dispatching', 'accepted', 'posted', 'cancelled'];

function overallState(parts: readonly SaleRow[]): SaleState {
  const states = new Set(parts.map((p) => p.state));
  // Some parts posted and others still waiting: the sale is on its way.
  if (states.has('accepted') && (states.has('posted') || states.has('dispatching'))) return 'dispatching';
  return STATE_RANK.find((state) => states.has(state)) ?? parts[0]!.state;
}

function toPartView(row: SaleRow): SalePartView {
  return {
    id: row.id,
    state: row.state,
    accountId: row.account_id,
    posItemId: row.pos_item_id,
    quantity: row.quantity,
    amountCents: Number(row.amount_cents),
    attempts: row.attempts,
    lastError: row.last_error,
    posReference: row.pos_reference,
  };
}

function toView(row: SaleRow, history: TransitionRow[], otherParts: readonly SaleRow[] = []): SaleView {
  const view = toRowView(row, history);
  if (row.parent_id !== null) return { ...view, partOf: row.parent_id };
  if (otherParts.length === 0) return view;
  const all = [row, ...otherParts];
  return {
    ...view,
    state: overallState(all),
    quantity: all.reduce((sum, p) => sum + p.quantity, 0),
    amountCents: all.reduce((sum, p) => sum + Number(p.amount_cents), 0),
    parts: all.map(toPartView),
  };
}

function toRowView(row: SaleRow, history: TransitionRow[]): SaleView {
  return {
    id: row.id,
    state: row.state,
    ecommerceId: row.ecommerce_id,
    accountId: row.account_id,
    posItemId: row.pos_item_id,
    quantity: row.quantity,
    amountCents: Number(row.amount_cents),
    reference: row.reference,
    idempotencyKey: row.idempotency_key,
    attempts: row.attempts,
    lastError: row.last_error,
    posReference: row.pos_reference,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    history: history.map((h) => ({ from: h.from_state, to: h.to_state, at: h.at.toISOString(), reason: h.reason })),
  };
}
