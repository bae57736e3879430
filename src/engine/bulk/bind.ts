import type { SqlClient } from '../../core/sql.ts';
import { existingBindings, insertMappings, setLimits, type BulkNewMapping, type ExistingBinding } from '../../core/bulk-mappings.ts';
import { recordJournal } from '../../core/journal.ts';
import type { RowReport } from './report.ts';
import type { Resolved } from './resolve.ts';

/**
 * Resolved rows against the mappings that exist (and those earlier rows of the file claim):
 * `mapped`, `unchanged`, `updated` or `conflict`. Unless it is a dry run, a batch's new mappings
 * are inserted in one statement and its floor changes in another, journaled.
 */
export const BIND_BATCH = 500;

export class Binder {
  /** What earlier rows of this file bound (or would bind): e-commerce id → account + POS item. */
  private readonly claimedEcommerce = new Map<string, { accountId: string; posItemId: string; row: number }>();
  private readonly claimedPos = new Map<string, { ecommerceId: string; row: number }>();
  /** New mappings per account, for their first counts. */
  readonly created = new Map<string, string[]>();
  /** E-commerce ids whose shop row must be written: new mappings and changed floors. */
  readonly shopRows: string[] = [];

  constructor(
    private readonly sql: SqlClient,
    private readonly dryRun: boolean,
  ) {}

  async bind(batch: readonly Resolved[], report: (entry: RowReport) => void): Promise<void> {
    const existing = await existingBindings(
      this.sql,
      batch.map((r) => r.row.ecommerceId),
      batch.map((r) => ({ accountId: r.row.accountId, posItemId: r.item.posItemId })),
    );
    const byEcommerce = new Map<string, ExistingBinding>(existing.filter((e) => !e.extraSource).map((e) => [e.ecommerceId, e]));
    const byPos = new Map<string, ExistingBinding>(existing.map((e) => [posKey(e.accountId, e.posItemId), e]));
    const inserts: Array<{ mapping: BulkNewMapping; entry: RowReport }> = [];
    const limits: Array<{ ecommerceId: string; limitQuantity: number; from: number }> = [];

    for (const { row, item } of batch) {
      const entry: RowReport = {
        row: row.row,
        item_ecommerce_id: row.ecommerceId,
        account_id: row.accountId,
        key: row.key,
        status: 'mapped',
        item_pos_id: item.posItemId,
        name: item.name,
      };
      const pos = posKey(row.accountId, item.posItemId);
      const mine = byEcommerce.get(row.ecommerceId);
      const holder = byPos.get(pos);
      const earlier = this.claimedEcommerce.get(row.ecommerceId);
      const earlierPos = this.claimedPos.get(pos);
      if (mine && (mine.accountId !== row.accountId || mine.posItemId !== item.posItemId)) {
        report({ ...entry, status: 'conflict', reason: `e-commerce item ${row.ecommerceId} is already mapped to POS item ${mine.posItemId} in account ${mine.accountId}` });
      } else if (mine) {
        const wanted = row.limitQuantity ?? mine.limitQuantity;
        if (wanted === mine.limitQuantity) report({ ...entry, status: 'unchanged' });
        else {
          limits.push({ ecommerceId: row.ecommerceId, limitQuantity: wanted, from: mine.limitQuantity });
          report({ ...entry, status: 'updated', reason: `limit_quantity ${mine.limitQuantity} → ${wanted}` });
        }
      } else if (holder) {
        report({ ...entry, status: 'conflict', reason: `POS item ${item.posItemId} in account ${row.accountId} is already mapped to e-commerce item ${holder.ecommerceId}` });
      } else if (earlier) {
        report({ ...entry, status: 'conflict', reason: `row ${earlier.row} of this file maps e-commerce item ${row.ecommerceId} already` });
      } else if (earlierPos) {
        report({ ...entry, status: 'conflict', reason: `row ${earlierPos.row} of this file maps POS item ${item.posItemId} to e-commerce item ${earlierPos.ecommerceId} already` });
      } else {
        this.claimedEcommerce.set(row.ecommerceId, { accountId: row.accountId, posItemId: item.posItemId, row: row.row });
        this.claimedPos.set(pos, { ecommerceId: row.ecommerceId, row: row.row });
        const mapping = { ecommerceId: row.ecommerceId, accountId: row.accountId, posItemId: item.posItemId, description: item.name, limitQuantity: row.limitQuantity ?? 0 };
        inserts.push({ mapping, entry });
      }
    }
    await this.write(inserts, limits, report);
  }

  private async write(
    inserts: Array<{ mapping: BulkNewMapping; entry: RowReport }>,
    limits: Array<{ ecommerceId: string; limitQuantity: number; from: number }>,
    report: (entry: RowReport) => void,
  ): Promise<void> {
    if (this.dryRun) {
      for (const { entry } of inserts) report(entry);
      return;
    }
    const inserted = await insertMappings(this.sql, inserts.map((i) => i.mapping));
    for (const { mapping, entry } of inserts) {
      if (inserted.has(mapping.ecommerceId)) {
        report(entry);
        this.shopRows.push(mapping.ecommerceId);
        const list = this.created.get(mapping.accountId) ?? [];
        list.push(mapping.posItemId);
        this.created.set(mapping.accountId, list);
      } else {
        report({ ...entry, status: 'conflict', reason: 'mapped by another request while this import ran; run the file again to see how' });
      }
    }
    await this.sql.transaction(async (tx) => {
      const changed = await setLimits(tx, limits);
      const from = new Map(limits.map((l) => [l.ecommerceId, l]));
      this.shopRows.push(...changed.map((c) => c.ecommerceId));
      await recordJournal(
        tx,
        changed.map((c) => ({
          ecommerceId: c.ecommerceId,
          accountId: c.accountId,
          before: c.available,
          after: c.available,
          onHandBefore: c.onHand,
          onHandAfter: c.onHand,
          cause: 'manual' as const,
          note: `bulk import: limit_quantity ${from.get(c.ecommerceId)?.from} → ${from.get(c.ecommerceId)?.limitQuantity}`,
        })),
      );
    });
  }
}

const posKey = (accountId: string, posItemId: string) => `${accountId}\u0001${posItemId}`;
