import type { LightspeedConnection } from '../accounts.ts';
import type { SaleReceipt, SaleToRecord } from '../contract.ts';
import { PosAmbiguousWriteError, PosBadResponseError, PosRejectedError, PosSaleUnfinishedError } from '../errors.ts';
import type { LightspeedClient } from './client.ts';
import { mapApiError } from './errors.ts';
import { flag, readListPage, readSingle, requiredText, text } from './normalise.ts';
import { parseJson } from '../http.ts';

/**
 * Posting one online sale as a completed Lightspeed Sale, at most once. The API has no
 * idempotency key, so `referenceNumber` carries our sale id and is looked up before any re-post:
 * when the dispatcher says an earlier attempt may have landed, and after an ambiguous failure
 * inside this call. The POST itself is never auto-retried once it may have reached the POS.
 */
export const REFERENCE_SOURCE = 'possync';

export interface SaleLineInput {
  itemID: string;
  unitQuantity: number;
  unitPrice: string;
  /** The online amount already includes tax: letting the POS add more would unbalance the sale. */
  tax: false;
}

/** "12.5" style money from integer cents, exact (no float formatting). */
export function money(cents: number): string {
  const whole = Math.floor(cents / 100);
  return `${whole}.${String(cents - whole * 100).padStart(2, '0')}`;
}

/**
 * Lines whose total is exactly `amountCents`. Prices are whole cents, so an amount that does not
 * divide by the quantity is split: (q − r) units at ⌊A/q⌋ and r units at ⌊A/q⌋ + 1 cent.
 */
export function saleLines(itemID: string, quantity: number, amountCents: number): SaleLineInput[] {
  const base = Math.floor(amountCents / quantity);
  const remainder = amountCents - base * quantity;
  const lines: SaleLineInput[] = [{ itemID, unitQuantity: quantity - remainder, unitPrice: money(base), tax: false }];
  if (remainder > 0) lines.push({ itemID, unitQuantity: remainder, unitPrice: money(base + 1), tax: false });
  return lines.filter((l) => l.unitQuantity > 0);
}

/** Bucket cost of a completed Sale POST: 2 + 3 (completed) + 0.5 per nested line and payment. */
export const saleCost = (lines: number, payments: number) => 5 + 0.5 * (lines + payments);

export class SalePoster {
  constructor(
    private readonly client: LightspeedClient,
    private readonly connection: LightspeedConnection,
  ) {}

  async record(sale: SaleToRecord): Promise<SaleReceipt> {
    checkSale(sale);
    const saved = sale.progress?.saleID;
    if (saved) return { posReference: saved, alreadyRecorded: true };
    if (sale.mayExist) {
      const found = await this.lookup(sale.saleId);
      if (found) return this.done(sale, found, true);
    }
    let posted: string;
    try {
      posted = await this.post(sale);
    } catch (error) {
      if (!(error instanceof PosAmbiguousWriteError)) throw error;
      // The POST may have landed: look before posting again, and post again at most once here.
      // If the lookup fails too, the caller gets the ambiguous error and comes back with mayExist.
      const found = await this.lookup(sale.saleId).catch((lookupError: unknown) => {
        throw lookupError instanceof PosRejectedError || lookupError instanceof PosSaleUnfinishedError ? lookupError : error;
      });
      if (found) return this.done(sale, found, false);
      posted = await this.post(sale);
    }
    return this.done(sale, posted, false);
  }

  private async done(sale: SaleToRecord, saleID: string, alreadyRecorded: boolean): Promise<SaleReceipt> {
    await sale.saveProgress?.({ saleID });
    return { posReference: saleID, alreadyRecorded };
  }

  /** The saleID of a completed sale carrying this reference, if any. */
  async lookup(saleId: string): Promise<string | null> {
    const url = this.client.url('Sale.json', { referenceNumber: saleId, limit: '100' });
    const { records } = readListPage(await this.client.json({ method: 'GET', url, idempotent: true, cost: 1, label: 'GET Sale.json (by reference)' }), 'Sale');
    const mine = records.filter((r) => text(r, 'referenceNumber') === saleId);
    const completed = mine.find((r) => flag(r, 'completed'));
    if (completed) return requiredText(completed, 'saleID', 'Sale');
    if (mine.length > 0) {
      // We only ever post completed sales, so an open one was made by hand: a person must decide.
      // Posting ours beside it could double the sale once someone completes it: the sale is
      // `incomplete` (held on the POS), not `failed`, until they complete or delete it.
      const openId = text(mine[0]!, 'saleID');
      throw new PosSaleUnfinishedError(
        openId,
        `Lightspeed holds it as open sale ${openId}, not completed`,
        new PosRejectedError(`complete or delete sale ${openId} (reference ${saleId}) in Lightspeed, then retry`),
      );
    }
    return null;
  }

  private async post(sale: SaleToRecord): Promise<string> {
    const c = this.connection;
    const lines = saleLines(sale.posItemId, sale.quantity, sale.amountCents);
    const body: Record<string, unknown> = {
      employeeID: c.employeeId,
      registerID: c.registerId,
      shopID: c.shopId,
      completed: true,
      referenceNumber: sale.saleId,
      referenceNumberSource: REFERENCE_SOURCE,
      SaleLines: { SaleLine: lines },
      SalePayments: { SalePayment: { amount: money(sale.amountCents), paymentTypeID: c.paymentTypeId } },
    };
    if (c.customerId) body.customerID = c.customerId;
    const request = {
      method: 'POST' as const,
      url: this.client.url('Sale.json'),
      body,
      idempotent: false,
      cost: saleCost(lines.length, 1),
      label: 'POST Sale.json',
    };
    const answer = await this.client.send(request);
    if (answer.status >= 300) throw mapApiError(answer, request.label, this.client.redactor);
    try {
      return requiredText(readSingle(parseJson(answer, 'Lightspeed POST Sale.json'), 'Sale'), 'saleID', 'Sale');
    } catch (error) {
      // A 2xx we cannot read still means the sale was probably made: treat it as ambiguous.
      if (error instanceof PosBadResponseError) throw new PosAmbiguousWriteError('Lightspeed POST Sale.json answered 2xx but the answer is unreadable; the sale may exist', { cause: error });
      throw error;
    }
  }
}

function checkSale(sale: SaleToRecord): void {
  const problems: string[] = [];
  if (!Number.isInteger(sale.quantity) || sale.quantity <= 0) problems.push(`quantity must be a positive whole number (got ${sale.quantity})`);
  if (!Number.isInteger(sale.amountCents) || sale.amountCents < 0) problems.push(`amountCents must be a whole number ≥ 0 (got ${sale.amountCents})`);
  if (!/^[1-9][0-9]*$/.test(sale.posItemId)) problems.push(`posItemId "${sale.posItemId}" is not a Lightspeed itemID`);
  if (sale.saleId.trim() === '') problems.push('saleId is empty');
  if (problems.length > 0) throw new PosRejectedError(`sale ${sale.saleId} cannot be posted to Lightspeed: ${problems.join('; ')}`);
}
