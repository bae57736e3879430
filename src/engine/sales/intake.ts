import { createHash, randomUUID } from 'node:crypto';
import type { Core } from '../../core/open.ts';
import type { SqlQueryable } from '../../core/sql.ts';
import { existingKeys, lockItems, lockSources, recordAccepted, troubledAccounts, type Accepted, type BatchSale, type StockRow } from '../../core/sales/intake-sql.ts';
import { DEFAULT_ROUTING, route, splitAmount, type RoutableSource, type RoutingPolicy } from '../../core/sales/routing.ts';
import type { JobsPort } from '../jobs-port.ts';
import { EngineInputError, type SaleIntakeResult, type SaleRequest, type SaleState } from '../ports.ts';

/**
 * Sale intake with group commit. Requests that arrive while a transaction is running wait for
 * the next one, and each transaction takes them all (up to MAX_BATCH): one commit, and one
 * dispatch-job send per account, serve many sales. Within a batch every sale is still its own
 * conditional reservation, in arrival order, so concurrent buyers of the last unit get exactly
 * one acceptance. Nothing is answered before its transaction commits (rule 1).
 */
const MAX_BATCH = 256;

export interface IntakeOptions {
  /** Whether an account is in the configuration (default: all are); others' items are not sold. */
  isConfigured?: (accountId: string) => boolean;
  /** Whether an account's POS calls are paused (quota spent): a multi-source sale goes elsewhere when it can. */
  isPaused?: (accountId: string) => boolean;
  /** How a multi-source item's sale picks its source(s) (core/sales/routing.ts); default most-available. */
  routing?: RoutingPolicy;
  log?: (message: string) => void;
}

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
    private readonly jobs: JobsPort,
    /** Told which accounts got new sales, after the commit (sink refresh). */
    private readonly afterCommit: (accountIds: ReadonlySet<string>) => void,
    private readonly options: IntakeOptions = {},
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
          const decided = await decideBatch(tx, batch.map((p) => p.request), this.options);
          for (const accountId of decided.accounts) {
            // Queued with the sale: a sale is never accepted without a job that will post it.
            await this.jobs.queueDispatch(accountId, tx);
          }
          return decided;
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
        if (batch.length > 1) {
          // One member the database refuses must not fail its neighbours: each is tried alone,
          // so the bad one is answered with its own error and the others commit.
          for (const pending of batch) await this.commit([pending]);
          return;
        }
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
  }
}

type Decision = SaleIntakeResult | EngineInputError;

/**
 * Decides every request of a batch in arrival order, as if each ran alone: a key seen before (in
 * the ledger or earlier in the batch) replays or is refused; otherwise the reservation is made
 * against the locked row's running quantity. Then everything accepted is written at once.
 */
async function decideBatch(tx: SqlQueryable, requests: readonly SaleRequest[], options: IntakeOptions): Promise<{ results: Decision[]; accounts: Set<string> }> {
  const keys = requests.map((r) => r.idempotencyKey ?? r.reference ?? null);
  const ledgerKeys = await existingKeys(tx, keys.filter((k): k is string => k !== null));
  const items = await lockItems(tx, [...new Set(requests.map((r) => r.ecommerceId))]);
  const running = new Map<string, number | null>([...items].map(([id, row]) => [id, row.available]));
  // Items with extra sources (issue 12): their source rows, under the item locks just taken.
  const sources = await lockSources(tx, [...items.keys()]);
  const sourceAccounts = new Set<string>();
  for (const [id, rows] of sources) for (const row of [items.get(id)!, ...rows]) sourceAccounts.add(row.account_id);
  const troubled = await troubledAccounts(tx, [...sourceAccounts]);
  for (const rows of sources.values()) for (const row of rows) running.set(sourceKey(row), row.available);
  const seenKeys = new Map<string, { id: string; hash: string; state: SaleState }>(
    [...ledgerKeys].map(([key, row]) => [key, { id: row.id, hash: row.request_hash, state: row.state }]),
  );
  const accepted: Accepted[] = [];
  const accounts = new Set<string>();
  const results = requests.map((request, i): Decision => {
    const key = keys[i] ?? null;
    const hash = requestHash(request);
    const seen = key === null ? undefined : seenKeys.get(key);
    if (seen) {
      if (seen.hash !== hash) return new EngineInputError('Idempotency-Key', `the key "${key}" was used for another sale with a different body`, 422, { sale_id: seen.id });
      return { outcome: 'accepted', sale: { id: seen.id, state: seen.state }, replayed: true };
    }
    const item = items.get(request.ecommerceId);
    if (!item) return new EngineInputError('item_ecommerce_id', `no registered item has the e-commerce id "${request.ecommerceId}"`, 404);
    const extra = sources.get(request.ecommerceId);
    if (extra) {
      const decided = routeSale({ request, key, hash, item, extra, running, troubled, options });
      if (!('parts' in decided)) return decided;
      accepted.push(...decided.parts);
      for (const part of decided.parts) accounts.add(part.item.account_id);
      if (key !== null) seenKeys.set(key, { id: decided.id, hash, state: 'accepted' });
      return { outcome: 'accepted', sale: { id: decided.id, state: 'accepted' }, replayed: false };
    }
    if (options.isConfigured && !options.isConfigured(item.account_id)) {
      // Nothing could ever post it: refuse rather than reserve units for good.
      const message = `item ${request.ecommerceId} belongs to account "${item.account_id}", which is no longer configured; nothing was reserved`;
      options.log?.(`sale refused: ${message}`);
      return new EngineInputError('item_ecommerce_id', message, 409, { accountId: item.account_id });
    }
    const available = running.get(request.ecommerceId) ?? null;
    // Rule 3: available − quantity ≥ floor (≥, so a floor of 0 lets the last unit sell).
    if (available === null || available - request.quantity < item.limit_quantity) {
      return { outcome: 'insufficient', available, limitQuantity: item.limit_quantity };
    }
    const sale: BatchSale = {
      id: randomUUID(),
      ecommerceId: request.ecommerceId,
      quantity: request.quantity,
      amountCents: request.amountCents,
      idempotencyKey: key,
      requestHash: hash,
      reference: request.reference ?? null,
    };
    running.set(request.ecommerceId, available - request.quantity);
    accepted.push({ sale, item, before: available, after: available - request.quantity });
    if (key !== null) seenKeys.set(key, { id: sale.id, hash, state: 'accepted' });
    accounts.add(item.account_id);
    return { outcome: 'accepted', sale: { id: sale.id, state: 'accepted' }, replayed: false };
  });
  await recordAccepted(tx, accepted);
  return { results, accounts };
}

/** Running quantities: an item's first source by its id, an extra source by item and account. */
function sourceKey(row: StockRow, primary = false): string {
  return primary ? row.ecommerce_id : `${row.ecommerce_id}\u0000${row.account_id}`;
}

interface Candidate extends RoutableSource {
  row: StockRow;
  primary: boolean;
}

/**
 * A multi-source item's sale (core/sales/routing.ts): one part per source used, the first part
 * carrying the sale's id, each reserving on its own source against that source's floor.
 */
function routeSale(input: {
  request: SaleRequest;
  key: string | null;
  hash: string;
  item: StockRow;
  extra: StockRow[];
  running: Map<string, number | null>;
  troubled: ReadonlySet<string>;
  options: IntakeOptions;
}): { id: string; parts: Accepted[] } | Decision {
  const { request, item, running, options } = input;
  const configured = (id: string) => !options.isConfigured || options.isConfigured(id);
  const candidates: Candidate[] = [
    { row: item, primary: true },
    ...input.extra.map((row) => ({ row, primary: false })),
  ]
    // An account no longer configured could never post its part: it is not a source any more.
    .filter(({ row }) => configured(row.account_id))
    .map(({ row, primary }) => ({
      row,
      primary,
      accountId: row.account_id,
      posItemId: row.pos_item_id,
      available: running.get(sourceKey(row, primary)) ?? null,
      limitQuantity: row.limit_quantity,
      healthy: !input.troubled.has(row.account_id) && !(options.isPaused?.(row.account_id) ?? false),
    }));
  if (candidates.length === 0) {
    const message = `item ${request.ecommerceId} has no source in a configured account; nothing was reserved`;
    options.log?.(`sale refused: ${message}`);
    return new EngineInputError('item_ecommerce_id', message, 409, { accountId: item.account_id });
  }
  const parts = route(candidates, request.quantity, options.routing ?? DEFAULT_ROUTING);
  if (!parts) {
    const counted = candidates.filter((c) => c.available !== null);
    return {
      outcome: 'insufficient',
      available: counted.length === 0 ? null : counted.reduce((sum, c) => sum + c.available!, 0),
      limitQuantity: counted.reduce((sum, c) => sum + c.limitQuantity, 0),
    };
  }
  const id = randomUUID();
  const amounts = splitAmount(request.amountCents, parts.map((p) => p.quantity));
  const accepted = parts.map((part, i): Accepted => {
    const before = part.source.available!;
    const after = before - part.quantity;
    running.set(sourceKey(part.source.row, part.source.primary), after);
    return {
      sale: {
        id: i === 0 ? id : randomUUID(),
        ecommerceId: request.ecommerceId,
        quantity: part.quantity,
        amountCents: amounts[i]!,
        // The sale answers to its key through its first part only.
        idempotencyKey: i === 0 ? input.key : null,
        requestHash: input.hash,
        reference: request.reference ?? null,
        parentId: i === 0 ? null : id,
        ...(parts.length > 1 ? { part: { index: i + 1, of: parts.length } } : {}),
      },
      item: part.source.row,
      before,
      after,
      primary: part.source.primary,
    };
  });
  return { id, parts: accepted };
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
