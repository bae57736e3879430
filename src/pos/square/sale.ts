import type { SaleProgress, SaleReceipt, SaleToRecord } from '../contract.ts';
import { PosRejectedError } from '../errors.ts';
import type { SquareApi } from './api.ts';
import { SquareRejectedError, type SquareCaller } from './calls.ts';
import { parseSaleAnswer } from './shapes.ts';

/**
 * A sale is one BatchChangeInventory call: an IN_STOCK → SOLD adjustment at the account's first
 * location, `idempotency_key` = `reference_id` = our ledger id.
 *
 * Square deduplicates on the key only if every re-send carries the *same body*; another body under
 * a used key is IDEMPOTENCY_KEY_REUSED. The body holds one value we pick, `occurred_at`, so it is
 * fixed before the first send and saved through `saveProgress` (with the location, in case the
 * account's location list changes): any later attempt, in this process or after a restart, sends
 * byte-for-byte the same request and gets Square's stored answer instead of a second sale. That
 * is why re-sending is the recovery for every ambiguous failure (timeout, lost connection, 5xx,
 * unreadable answer) and no lookup is needed. `occurred_at` = when we first tried, so a physical
 * count taken after that correctly wins over the sale (Square orders history by occurred_at).
 *
 * IDEMPOTENCY_KEY_REUSED therefore means Square already holds a request under this ledger id with
 * a different body. When we had no saved progress and the caller says the sale may exist, the
 * only difference can be our fresh `occurred_at`: the sale is there, and we report it recorded.
 * Otherwise (saved progress and still refused, or a first attempt) something else used the key or
 * the sale changed since: posting under a new key could double it, so we stop with a non-retryable
 * error for an operator to check Square's history for reference_id = the sale id.
 */
export interface SaleProgressFields extends SaleProgress {
  occurredAt: string;
  locationId: string;
  /** Square's id of the adjustment, once it was confirmed. */
  changeId: string;
}

export class SaleRecorder {
  constructor(
    private readonly api: SquareApi,
    private readonly caller: SquareCaller,
    private readonly saleLocationId: string,
    private readonly now: () => number,
  ) {}

  async record(sale: SaleToRecord): Promise<SaleReceipt> {
    if (!Number.isInteger(sale.quantity) || sale.quantity <= 0) {
      throw new PosRejectedError(`square sale ${sale.saleId}: quantity must be a positive whole number (got ${sale.quantity})`);
    }
    if (sale.saleId === '' || sale.saleId.length > 128) {
      throw new PosRejectedError(`square sale: the sale id must be 1 to 128 characters to serve as Square's idempotency key`);
    }
    const saved = sale.progress ?? {};
    // Confirmed earlier (the dispatcher re-ran after a crash that followed success): nothing to send.
    if (saved.changeId) return { posReference: saved.changeId, alreadyRecorded: true };

    const hadBody = typeof saved.occurredAt === 'string' && saved.occurredAt !== '';
    const occurredAt = hadBody ? saved.occurredAt! : new Date(this.now()).toISOString();
    const locationId = hadBody && saved.locationId ? saved.locationId : this.saleLocationId;
    // Saved before the first send: a crash after Square commits must find the same body again.
    if (!hadBody) await sale.saveProgress?.({ occurredAt, locationId });

    let changeId: string;
    try {
      changeId = await this.caller.run({ label: 'inventory batch-create (sale)', scope: 'INVENTORY_WRITE', keyedWrite: true }, async () =>
        parseSaleAnswer(
          await this.api.recordAdjustment({
            idempotencyKey: sale.saleId,
            catalogObjectId: sale.posItemId,
            locationId,
            quantity: String(sale.quantity),
            occurredAt,
            referenceId: sale.saleId,
          }),
          'inventory batch-create (sale)',
          sale.posItemId,
        ),
      );
    } catch (error) {
      if (!(error instanceof SquareRejectedError) || error.code !== 'IDEMPOTENCY_KEY_REUSED') throw error;
      if (!hadBody && sale.mayExist) return { posReference: `idempotency-key:${sale.saleId}`, alreadyRecorded: true };
      throw new PosRejectedError(
        `square sale ${sale.saleId}: Square already holds a different request under this sale id (IDEMPOTENCY_KEY_REUSED); ` +
          `not re-posted under a new key, which could double it. Check the inventory history for reference_id ${sale.saleId}`,
        error.status,
      );
    }
    const progress: SaleProgressFields = { occurredAt, locationId, changeId };
    await sale.saveProgress?.(progress);
    return { posReference: changeId, alreadyRecorded: false };
  }
}
