import type { SaleProgress, SaleReceipt, SaleToRecord } from '../contract.ts';
import { PosAmbiguousWriteError, PosBadResponseError, PosNotFoundError, PosRejectedError, PosSaleUnfinishedError } from '../errors.ts';
import type { HiboutikClient } from './client.ts';
import { isItemId, parseItemId, readId, type HiboutikItemRef } from './ids.ts';

/**
 * Posting one sale takes four calls and Hiboutik has no idempotency key, so each finished step is
 * saved (`saveProgress`) and the sale carries our sale id in `ext_ref` from the second call on:
 *   created → tagged (ext_ref set) → added (line; stock moves here or at close) → closed.
 * A re-run resumes from the saved step, and before anything is posted again it reads what
 * Hiboutik has (the sale by id, or a search by ext_ref), then finishes only what is missing.
 * A failed close is a PosSaleUnfinishedError: Hiboutik holds the line, so a refusal there leaves
 * the sale `incomplete` for an operator, never `failed` as if nothing had been posted.
 */
export type SaleStep = 'created' | 'tagged' | 'added' | 'closed';
const STEPS: readonly SaleStep[] = ['created', 'tagged', 'added', 'closed'];

export interface SaleSettings {
  storeId: string;
  customerId?: string;
}

/** What `GET /sales/{id}` and the ext_ref search answer (only the fields we read). */
interface SaleRow {
  sale_id?: unknown;
  sale_ext_ref?: unknown;
  completed_at?: unknown;
  line_items?: unknown;
}

interface Position {
  posSaleId: string;
  done: SaleStep;
}

const reached = (position: Position, step: SaleStep) => STEPS.indexOf(position.done) >= STEPS.indexOf(step);
const isStep = (value: unknown): value is SaleStep => typeof value === 'string' && (STEPS as readonly string[]).includes(value);

export class HiboutikSales {
  constructor(
    private readonly client: HiboutikClient,
    private readonly settings: SaleSettings,
  ) {}

  async record(sale: SaleToRecord): Promise<SaleReceipt> {
    const item = isItemId(sale.posItemId) ? parseItemId(sale.posItemId) : null;
    if (!item) throw new PosRejectedError(`Hiboutik sale ${sale.saleId}: "${sale.posItemId}" is not a Hiboutik item id ("{product_id}" or "{product_id}:{size}")`);
    if (!Number.isInteger(sale.quantity) || sale.quantity <= 0) throw new PosRejectedError(`Hiboutik sale ${sale.saleId}: quantity must be a positive whole number`);
    return new SaleRun(this.client, this.settings, sale, item).execute();
  }
}

class SaleRun {
  /** True once this run sent a write; a run that only found a finished sale reports alreadyRecorded. */
  private wrote = false;

  constructor(
    private readonly client: HiboutikClient,
    private readonly settings: SaleSettings,
    private readonly sale: SaleToRecord,
    private readonly item: HiboutikItemRef,
  ) {}

  async execute(): Promise<SaleReceipt> {
    const position = await this.start();
    const { posSaleId } = position;
    if (!reached(position, 'added')) {
      await this.verified(posSaleId, 'added', () => this.add(posSaleId));
      await this.save({ posSaleId, done: 'added' });
    }
    if (!reached(position, 'closed')) {
      try {
        await this.verified(posSaleId, 'closed', () => this.close(posSaleId));
      } catch (error) {
        // The line is on Hiboutik (its stock may have moved): if this is given up on, the sale
        // must say the POS holds it, not look like a sale that never reached the POS.
        throw new PosSaleUnfinishedError(posSaleId, `Hiboutik holds it as sale ${posSaleId} (line added, not closed)`, error);
      }
      await this.save({ posSaleId, done: 'closed' });
    }
    return { posReference: posSaleId, alreadyRecorded: !this.wrote };
  }

  /** A sale on Hiboutik carrying our ext_ref: found, resumed, or created and tagged now. */
  private async start(): Promise<Position> {
    const found = await this.resume();
    if (found && reached(found, 'tagged')) return found;
    const tagged = found ? await this.tag(found.posSaleId, true) : null;
    if (tagged) return tagged;
    const posSaleId = await this.create();
    await this.save({ posSaleId, done: 'created' });
    return (await this.tag(posSaleId, false))!;
  }

  /** Where this sale stands on Hiboutik, from saved progress or a lookup; null = nothing there. */
  private async resume(): Promise<Position | null> {
    const progress = this.sale.progress;
    const savedId = progress?.saleId && readId(progress.saleId) !== null ? progress.saleId : undefined;
    if (savedId && isStep(progress?.step)) {
      // Steps before "tagged" are safe to repeat; later ones may have been sent after the last save.
      if (progress.step === 'created' || progress.step === 'closed') return { posSaleId: savedId, done: progress.step };
      const row = await this.read(savedId);
      const position = row && this.ours(row) ? this.positionOf(row) : null;
      if (position) return position;
    }
    if (!this.sale.mayExist && !progress) return null;
    return this.search();
  }

  /** `GET /sales/search/ext_ref/{ref}` matches substrings: keep exact matches, furthest along first. */
  private async search(): Promise<Position | null> {
    const path = `sales/search/ext_ref/${encodeURIComponent(this.sale.saleId)}`;
    const { body } = await this.client.get<unknown>(path, { purpose: 'write', label: 'GET /sales/search/ext_ref/{ref}' });
    if (!Array.isArray(body)) throw new PosBadResponseError(`Hiboutik sale search for ${this.sale.saleId}: expected a list`);
    const positions: Position[] = [];
    for (const hit of (body as SaleRow[]).filter((row) => this.ours(row))) {
      // The search answer carries the whole sale here; if a real account answers less, read it.
      const detailed = Array.isArray(hit.line_items) && hit.completed_at !== undefined;
      const row = detailed ? hit : await this.read(String(readId(hit.sale_id)));
      const position = row ? this.positionOf(row) : null;
      if (position) positions.push(position);
    }
    positions.sort((a, b) => STEPS.indexOf(b.done) - STEPS.indexOf(a.done));
    return positions[0] ?? null;
  }

  private async read(posSaleId: string): Promise<SaleRow | null> {
    try {
      const { body } = await this.client.get<unknown>(`sales/${encodeURIComponent(posSaleId)}`, { purpose: 'write', label: 'GET /sales/{id}' });
      const row = (Array.isArray(body) ? body[0] : body) as SaleRow | undefined;
      return row && typeof row === 'object' ? row : null;
    } catch (error) {
      if (error instanceof PosNotFoundError) return null;
      throw error;
    }
  }

  private ours(row: SaleRow): boolean {
    return row.sale_ext_ref === this.sale.saleId && readId(row.sale_id) !== null;
  }

  /** A closed sale without our line cannot be finished (lines cannot be added): null, post anew. */
  private positionOf(row: SaleRow): Position | null {
    const posSaleId = String(readId(row.sale_id));
    const lines = Array.isArray(row.line_items) ? (row.line_items as Array<Record<string, unknown>>) : [];
    const hasLine = lines.some((line) => readId(line.product_id) === this.item.productId && (readId(line.product_size) ?? 0) === this.item.size);
    const closed = typeof row.completed_at === 'string' && row.completed_at !== '' && !row.completed_at.startsWith('0000');
    if (closed) return hasLine ? { posSaleId, done: 'closed' } : null;
    return { posSaleId, done: hasLine ? 'added' : 'tagged' };
  }

  private async save(position: Position): Promise<void> {
    const progress: SaleProgress = { saleId: position.posSaleId, step: position.done };
    await this.sale.saveProgress?.(progress);
  }

  /**
   * Never repeated, here or by the retry loop: an unanswered create may have left an open, empty
   * sale without ext_ref behind. It moves no stock and bills nobody; the caller's re-run searches
   * by ext_ref, finds nothing, and creates the one sale that counts.
   */
  private async create(): Promise<string> {
    this.wrote = true;
    const fields = { store_id: this.settings.storeId, customer_id: this.settings.customerId ?? '0', currency_code: 'EUR', duty_free_sale: 0, prices_without_taxes: 0 };
    let body: { sale_id?: unknown };
    try {
      body = await this.client.write<{ sale_id?: unknown }>('POST', 'sales/', fields, { idempotent: false, label: 'POST /sales/' });
    } catch (error) {
      if (error instanceof PosAmbiguousWriteError || error instanceof PosBadResponseError) {
        throw new PosAmbiguousWriteError(`${error.message} (sale ${this.sale.saleId}: an empty sale without ext_ref may be open on Hiboutik; it moves no stock)`, { cause: error });
      }
      throw error;
    }
    const id = readId(body.sale_id);
    if (id === null || id === 0) throw new PosAmbiguousWriteError(`Hiboutik POST /sales/ answered no sale_id for sale ${this.sale.saleId}`);
    return String(id);
  }

  /**
   * Setting ext_ref to the same value twice is harmless, so this PUT is retried like a read.
   * Null only when a resumed sale no longer exists (an empty sale deleted in the back office).
   */
  private async tag(posSaleId: string, resumed: boolean): Promise<Position | null> {
    try {
      this.wrote = true;
      await this.client.write('PUT', `sale/${posSaleId}`, { sale_attribute: 'ext_ref', new_value: this.sale.saleId }, { idempotent: true, label: 'PUT /sale/{id}' });
    } catch (error) {
      if (resumed && error instanceof PosNotFoundError) return null;
      throw error;
    }
    const position: Position = { posSaleId, done: 'tagged' };
    await this.save(position);
    return position;
  }

  private async add(posSaleId: string): Promise<void> {
    const { productId, size } = this.item;
    const fields = { sale_id: posSaleId, product_id: productId, size_id: size, quantity: this.sale.quantity, product_price: unitPrice(this.sale.amountCents, this.sale.quantity), stock_withdrawal: 1 };
    await this.client.write('POST', 'sales/add_product/', fields, { idempotent: false, label: 'POST /sales/add_product/' });
  }

  private async close(posSaleId: string): Promise<void> {
    await this.client.write('POST', 'sales/close/', { sale_id: posSaleId }, { idempotent: false, label: 'POST /sales/close/' });
  }

  /**
   * Sends a step that must not be doubled. When its outcome is unknown (no answer, 5xx, an
   * unreadable 2xx), the sale is read back: if the step shows, it is done; if not, it is sent
   * once more. A second unknown outcome goes back to the caller, whose re-run looks up again.
   */
  private async verified(posSaleId: string, step: SaleStep, send: () => Promise<void>): Promise<void> {
    for (let round = 1; ; round++) {
      try {
        this.wrote = true;
        await send();
        return;
      } catch (error) {
        const unknownOutcome = error instanceof PosAmbiguousWriteError || error instanceof PosBadResponseError;
        if (!unknownOutcome || round >= 2) throw error;
      }
      const row = await this.read(posSaleId);
      const position = row ? this.positionOf(row) : null;
      if (position && reached(position, step)) return;
    }
  }
}

/** Hiboutik takes a unit price in currency units; cents that do not divide evenly keep 4 decimals. */
export function unitPrice(amountCents: number, quantity: number): string {
  const cents = amountCents / quantity;
  if (Number.isInteger(cents)) return (cents / 100).toFixed(2);
  return (cents / 100).toFixed(4).replace(/0+$/, '');
}
