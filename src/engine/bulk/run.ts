import type { StockCount } from '../../pos/contract.ts';
import type { AccountSet } from '../accounts.ts';
import { applyPage, databaseNow, type SyncContext } from '../sync.ts';
import { BIND_BATCH, Binder } from './bind.ts';
import { CatalogIndex } from './catalog-index.ts';
import { countStatuses, emptyCounts, type AccountReadSummary, type ImportSummary, type RowReport } from './report.ts';
import { resolveRows } from './resolve.ts';
import type { BulkRow } from './rows.ts';
import { writeShopRows } from '../shop-rows.ts';

/**
 * One bulk mapping, start to end: read each account's catalog once (a call per catalog page),
 * resolve every row, bind in batches, then (unless a dry run) read the new items' counts in
 * batches (or take those the catalog pages carried) and write their shop rows. A dry run stops
 * after binding: it reads the POS and the core and writes nothing.
 */
export interface BulkProgress {
  done: number;
  total: number;
  summary: ImportSummary;
}

export interface BulkResult {
  report: RowReport[];
  summary: ImportSummary;
}

export async function runBulk(
  context: SyncContext,
  accounts: AccountSet,
  rows: readonly BulkRow[],
  options: { dryRun: boolean; onProgress?: (progress: BulkProgress) => Promise<void> | void },
): Promise<BulkResult> {
  const summary: ImportSummary = { stage: 'reading catalogs', dry_run: options.dryRun, counts: emptyCounts(), accounts: [] };
  const byRow = new Map<number, RowReport>();
  const report = (entry: RowReport) => {
    byRow.set(entry.row, entry);
    summary.counts[entry.status] += 1;
  };
  const progress = async () => options.onProgress?.({ done: byRow.size, total: rows.length, summary });

  const indexes = new Map<string, CatalogIndex>();
  const wanted = new Set(rows.filter((r) => !r.problem && r.key).map((r) => r.accountId));
  for (const accountId of wanted) {
    const account = accounts.get(accountId);
    if (!account) continue;
    const index = new CatalogIndex();
    const callsBefore = account.adapter.apiCalls();
    const read: AccountReadSummary = { account_id: accountId, catalog_items: 0, pos_calls: 0, catalog_seconds: 0 };
    const startedAt = performance.now();
    summary.accounts.push(read);
    for await (const page of account.adapter.readCatalog()) {
      index.add(page);
      read.catalog_items = index.size;
      read.pos_calls = account.adapter.apiCalls() - callsBefore;
      read.catalog_seconds = Math.round(performance.now() - startedAt) / 1000;
      await progress();
    }
    indexes.set(accountId, index);
  }

  summary.stage = 'matching';
  const resolved = resolveRows(rows, indexes, report);
  await progress();
  const binder = new Binder(context.core.sql, options.dryRun);
  // When every catalog carried its counts, nothing more is read from a POS: each bound batch's
  // counts and shop rows are written while the next batch binds, one batch at a time behind it.
  const carried = !options.dryRun && indexes.size > 0 && [...indexes.values()].every((index) => index.counts.size > 0);
  const behind = new BatchChain();
  const createdSeen = new Map<string, number>();
  let shopSeen = 0;
  for (let i = 0; i < resolved.length; i += BIND_BATCH) {
    await binder.bind(resolved.slice(i, i + BIND_BATCH), report);
    if (carried) {
      const created = [...binder.created].map(([accountId, ids]) => {
        const fresh = ids.slice(createdSeen.get(accountId) ?? 0);
        createdSeen.set(accountId, ids.length);
        return [accountId, fresh] as const;
      });
      const shopRows = binder.shopRows.slice(shopSeen);
      shopSeen = binder.shopRows.length;
      behind.then(async () => {
        for (const [accountId, ids] of created) await firstCounts(context, accountId, ids, indexes.get(accountId)!, noCountsRead);
        await writeShopRows(context, shopRows);
      });
    }
    await progress();
  }

  if (!options.dryRun && carried) {
    summary.stage = 'writing shop table';
    await progress();
    await behind.done();
  } else if (!options.dryRun) {
    summary.stage = 'reading counts';
    await progress();
    for (const [accountId, posItemIds] of binder.created) {
      const account = accounts.get(accountId)!;
      const before = account.adapter.apiCalls();
      await firstCounts(context, accountId, posItemIds, indexes.get(accountId)!, account.adapter.readCounts.bind(account.adapter));
      const read = summary.accounts.find((a) => a.account_id === accountId);
      if (read) read.pos_calls += account.adapter.apiCalls() - before;
    }
    summary.stage = 'writing shop table';
    await progress();
    await writeShopRows(context, binder.shopRows);
  }
  summary.stage = 'done';
  summary.counts = countStatuses([...byRow.values()]);
  return { report: rows.map((r) => byRow.get(r.row)!), summary };
}

/**
 * Counts for newly mapped items: those that came with the catalog pages, else one batched read
 * of exactly these ids. A failed read leaves them unknown for the next poll (the mapping stands).
 */
async function firstCounts(
  context: SyncContext,
  accountId: string,
  posItemIds: string[],
  index: CatalogIndex,
  readCounts: (ids: readonly string[]) => AsyncGenerator<StockCount[], void, undefined>,
): Promise<void> {
  const readStartedAt = await databaseNow(context.core.sql);
  if (index.counts.size > 0) {
    const carried = posItemIds.flatMap((id) => {
      const count = index.counts.get(id);
      return count ? [count] : [];
    });
    for (let i = 0; i < carried.length; i += BIND_BATCH) {
      await applyPage(context, accountId, null, carried.slice(i, i + BIND_BATCH), readStartedAt, 'register');
    }
    return;
  }
  try {
    for await (const page of readCounts(posItemIds)) await applyPage(context, accountId, null, page, readStartedAt, 'register');
  } catch {
    // As for a single registration: the next poll counts them.
  }
}

/** Never called: with carried counts firstCounts reads nothing from the POS. */
async function* noCountsRead(): AsyncGenerator<StockCount[], void, undefined> {
  throw new Error('counts were carried by the catalog pages; nothing to read');
}

/** Work run one piece at a time, in order, behind the caller; the first failure is kept for done(). */
class BatchChain {
  private tail: Promise<void> = Promise.resolve();
  then(work: () => Promise<void>): void {
    this.tail = this.tail.then(work);
    // Handled here so a failure does not crash the process before done() is awaited.
    this.tail.catch(() => {});
  }
  done(): Promise<void> {
    return this.tail;
  }
}
