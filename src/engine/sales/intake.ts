import { createHash, randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Core } from '../../core/open.ts';
import type { SqlQueryable } from '../../core/sql.ts';
import { findByKey, reserveAndRecord } from '../../core/sales/ledger.ts';
import { DISPATCH_QUEUE, type DispatchJobData } from '../../jobs/queues.ts';
import { EngineInputError, type SaleIntakeResult, type SaleRequest } from '../ports.ts';

/**
 * Sale intake with group commit. Requests that arrive while a transaction is running wait for
 * the next one, and each transaction takes them all (up to MAX_BATCH): one commit, and one
 * dispatch-job send per account, serve many sales. Within a batch every sale is still its own
 * conditional reservation, in arrival order, so concurrent buyers of the last unit get exactly
 * one acceptance. Nothing is answered before its transaction commits (rule 1).
 */
const MAX_BATCH = 256;

interface Pending {
  request: SaleRequest;
  resolve(result: SaleIntakeResult): void;
  reject(error: unknown): void;
}

export class SaleIntake {
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly core: Core,
    private readonly boss: PgBoss,
    /** Told which accounts got new sales, after the commit (sink refresh). */
    private readonly afterCommit: (accountIds: ReadonlySet<string>) => void,
  ) {}

  accept(request: SaleRequest): Promise<SaleIntakeResult> {
    validate(request);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      await this.commit(batch);
    }
    this.running = false;
  }

  private async commit(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { results, accounts } = await this.core.sql.transaction(async (tx) => {
          const results: Array<SaleIntakeResult | EngineInputError> = [];
          const accounts = new Set<string>();
          for (const { request } of batch) results.push(await acceptOne(tx, request, accounts));
          for (const accountId of accounts) {
            const data: DispatchJobData = { accountId };
            // Queued with the sale: a sale is never accepted without a job that will post it.
            await this.boss.send(DISPATCH_QUEUE, data, { singletonKey: accountId, db: this.core.jobDb(tx) });
          }
          return { results, accounts };
        });
        batch.forEach((pending, i) => {
          const result = results[i]!;
          if (result instanceof EngineInputError) pending.reject(result);
          else pending.resolve(result);
        });
        if (accounts.size > 0) this.afterCommit(accounts);
        return;
      } catch (error) {
        // Another possync instance took one of the batch's keys between our look-up and our insert:
        // run the batch again, and that request becomes a replay.
        if ((error as { code?: string }).code === '23505' && attempt < 3) continue;
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
  }
}

async function acceptOne(tx: SqlQueryable, request: SaleRequest, accounts: Set<string>): Promise<SaleIntakeResult | EngineInputError> {
  const key = request.idempotencyKey ?? request.reference ?? null;
  const hash = requestHash(request);
  if (key !== null) {
    const existing = await findByKey(tx, key);
    if (existing) {
      if (existing.request_hash !== hash) {
        return new EngineInputError('Idempotency-Key', `the key "${key}" was used for another sale with a different body`, 422);
      }
      return { outcome: 'accepted', sale: { id: existing.id, state: existing.state }, replayed: true };
    }
  }
  const id = randomUUID();
  const outcome = await reserveAndRecord(tx, {
    id,
    ecommerceId: request.ecommerceId,
    quantity: request.quantity,
    amountCents: request.amountCents,
    idempotencyKey: key,
    requestHash: hash,
    reference: request.reference ?? null,
  });
  if (outcome.kind === 'unknown-item') {
    return new EngineInputError('item_ecommerce_id', `no registered item has the e-commerce id "${request.ecommerceId}"`, 404);
  }
  if (outcome.kind === 'insufficient') {
    return { outcome: 'insufficient', available: outcome.available, limitQuantity: outcome.limitQuantity };
  }
  accounts.add(outcome.accountId);
  return { outcome: 'accepted', sale: { id, state: 'accepted' }, replayed: false };
}

/** What "the same body" means for a reused key. */
function requestHash(request: SaleRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.ecommerceId, request.quantity, request.amountCents, request.reference ?? null]))
    .digest('hex');
}

const MAX_QUANTITY = 10_000;
const MAX_AMOUNT = 100_000_000;

function validate(request: SaleRequest): void {
  if (!Number.isInteger(request.quantity) || request.quantity < 1 || request.quantity > MAX_QUANTITY) {
    throw new EngineInputError('delta', `delta must be a whole number from 1 to ${MAX_QUANTITY}`);
  }
  if (!Number.isInteger(request.amountCents) || request.amountCents < 0 || request.amountCents > MAX_AMOUNT) {
    throw new EngineInputError('balance', `balance must be a whole number of cents from 0 to ${MAX_AMOUNT}`);
  }
  if (request.ecommerceId.trim() === '') throw new EngineInputError('item_ecommerce_id', 'item_ecommerce_id must not be empty');
}
