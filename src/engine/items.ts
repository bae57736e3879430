import type { Core } from '../core/open.ts';
import { randomUUID } from 'node:crypto';
import { listMappings } from '../core/mappings.ts';
import { listMappingsPage } from '../core/mapping-list.ts';
import { MappingNotFoundError, SalesInFlightError, unmapItem, updateMapping } from '../core/mapping-admin.ts';
import { createImport, getImport } from '../core/imports.ts';
import type { JobsPort } from './jobs-port.ts';
import type { AccountSet } from './accounts.ts';
import { checkRequest, registerItem, toItemView } from './register.ts';
import type { SyncContext } from './sync.ts';
import { writeShopRows } from './shop-rows.ts';
import { runBulk } from './bulk/run.ts';
import type { BulkRow } from './bulk/rows.ts';
import { autoMatchRows } from './bulk/auto-match.ts';
import type { ShopKey } from '../config/types.ts';
import { SinkError } from '../sink/common.ts';
import type { ImportSummary, RowReport } from './bulk/report.ts';
import {
  EngineInputError,
  type BulkTaskView,
  type ItemChange,
  type ItemPageQuery,
  type ItemRegistry,
  type ItemView,
  type RegisterItemRequest,
  type RegisterTaskView,
  type ShopRowChoice,
  type TaskView,
} from './ports.ts';
import { pollTask } from './poll-task.ts';
import { addItemSource, itemViews, itemWithSources, removeItemSource } from './sources.ts';
import type { AddSourceRequest } from './ports.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a registration job leaves as its output: the mapping, or why the request cannot succeed. */
export type RegisterJobOutput =
  | { ok: true; item: ItemView }
  | { ok: false; error: { message: string; field: string; status: number; details?: Record<string, unknown> } };

/** Item registration as jobs (202 + task) or in-line (?wait=true), and the item listing. */
export class Items implements ItemRegistry {
  constructor(
    private readonly context: SyncContext & { core: Core },
    private readonly jobs: JobsPort,
    private readonly accounts: AccountSet,
  ) {}

  async register(request: RegisterItemRequest): Promise<RegisterTaskView> {
    checkRequest(this.accounts, request);
    return (await this.registerTask(await this.jobs.queueRegister(request)))!;
  }

  registerNow(request: RegisterItemRequest): Promise<ItemView> {
    return registerItem(this.context, this.accounts, request);
  }

  async bulk(rows: BulkRow[], options: { dryRun: boolean; wait: boolean }): Promise<BulkTaskView> {
    if (options.wait) {
      const startedAt = new Date().toISOString();
      const { report, summary } = await runBulk(this.context, this.accounts, rows, { dryRun: options.dryRun });
      return { id: randomUUID(), kind: 'bulk-import', state: 'done', dryRun: options.dryRun, createdAt: startedAt, finishedAt: new Date().toISOString(), done: rows.length, total: rows.length, summary, report, error: null };
    }
    const id = randomUUID();
    await createImport(this.context.core.sql, { id, dryRun: options.dryRun, rows });
    await this.jobs.queueBulkImport(id);
    return (await this.bulkTask(id))!;
  }

  /** Bulk mapping of the shop table's rows by its own SKU or barcode column (see auto-match.ts). */
  async autoMatch(accountId: string, by: ShopKey, options: { dryRun: boolean; wait: boolean }): Promise<BulkTaskView> {
    if (!this.accounts.get(accountId)) {
      throw new EngineInputError('account_id', `no configured account has the id "${accountId}"`, 404, { known_account_ids: this.accounts.ids() });
    }
    let shopRows;
    try {
      shopRows = await this.context.sink.readKeys(by);
    } catch (error) {
      if (error instanceof SinkError && error.code === 'NO_KEY_COLUMN') throw new EngineInputError('by', error.message, 400);
      throw error;
    }
    const { rows, otherAccounts } = autoMatchRows(shopRows, accountId, by);
    if (rows.length === 0) {
      throw new EngineInputError('account_id', `the shop table has no row to match for account ${accountId}${otherAccounts ? ` (${otherAccounts} rows belong to other accounts)` : ''}`, 400);
    }
    return this.bulk(rows, options);
  }

  private async bulkTask(id: string): Promise<BulkTaskView | null> {
    const stored = await getImport<BulkRow, RowReport, ImportSummary>(this.context.core.sql, id);
    if (!stored) return null;
    return {
      id: stored.id,
      kind: 'bulk-import',
      state: stored.state === 'queued' ? 'queued' : stored.state === 'running' ? 'running' : stored.state,
      dryRun: stored.dryRun,
      createdAt: stored.createdAt.toISOString(),
      finishedAt: stored.finishedAt?.toISOString() ?? null,
      done: stored.done,
      total: stored.total,
      summary: stored.summary,
      report: stored.report,
      error: stored.error,
    };
  }

  /** Any job id the API handed out: a bulk import's, a registration's or a poll's. */
  async task(id: string): Promise<TaskView | BulkTaskView | null> {
    if (!UUID.test(id)) return null;
    return (await this.bulkTask(id)) ?? (await this.registerTask(id)) ?? (await pollTask(this.context.core.sql, this.jobs, id));
  }

  private async registerTask(id: string): Promise<RegisterTaskView | null> {
    const job = await this.jobs.registration(id);
    if (!job) return null;
    const output = job.output as RegisterJobOutput | { message?: string } | undefined | null;
    const base = {
      id: job.id,
      kind: 'register-item' as const,
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.completedAt ? job.completedAt.toISOString() : null,
      request: job.request,
    };
    if (job.state === 'completed' && output && 'ok' in output) {
      return output.ok
        ? { ...base, state: 'done', result: output.item, error: null }
        : { ...base, state: 'failed', result: null, error: { message: output.error.message, closeMatches: closeMatches(output.error.details) } };
    }
    if (job.state === 'failed' || job.state === 'cancelled') {
      const message = output && 'message' in output && typeof output.message === 'string' ? output.message : `registration ${job.state}`;
      return { ...base, state: 'failed', result: null, error: { message } };
    }
    return { ...base, state: job.state === 'active' ? 'running' : 'queued', result: null, error: null };
  }

  /** An account that left the configuration keeps its mappings, listed as orphaned. */
  async list(accountId: string): Promise<ItemView[]> {
    return itemViews(this.context, this.accounts, await listMappings(this.context.core.sql, accountId));
  }

  async listPage(accountId: string, query: ItemPageQuery): Promise<{ items: ItemView[]; nextCursor: string | null }> {
    const orphaned = !this.accounts.get(accountId);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await listMappingsPage(this.context.core.sql, accountId, {
      limit: query.limit,
      ...(after === undefined ? {} : { after }),
      ...(query.filter ? { filter: query.filter } : {}),
      ...(query.staleAfterSeconds === undefined ? {} : { staleAfterMs: query.staleAfterSeconds * 1000 }),
    });
    // An account that left the configuration still lists its mappings, as orphaned; one that never had any is unknown.
    if (orphaned && page.items.length === 0 && query.cursor === undefined) this.knownAccount(accountId);
    return { items: await itemViews(this.context, this.accounts, page.items), nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) };
  }

  async update(ecommerceId: string, change: ItemChange): Promise<ItemView> {
    const { mapping, changed } = await this.admin(() => updateMapping(this.context.core.sql, ecommerceId, change));
    // The shop's row follows the floor and the description.
    if (changed) await writeShopRows(this.context, [ecommerceId]);
    return (await itemViews(this.context, this.accounts, [mapping]))[0]!;
  }

  async unmap(ecommerceId: string, shopRow: ShopRowChoice): Promise<ItemView> {
    const note = shopRow === 'zero' ? 'unmapped; shop row set to 0' : 'unmapped; shop row left as it was';
    const mapping = await this.admin(() => unmapItem(this.context.core.sql, ecommerceId, { shopRowAfter: shopRow === 'zero' ? 0 : null, note }));
    // After the core commit: an unmapping refused for sales in flight never touches the shop.
    if (shopRow === 'zero') await this.context.sink.writeQuantities([{ ecommerceId, quantity: 0 }]);
    return toItemView(mapping, !this.accounts.get(mapping.accountId));
  }

  get(ecommerceId: string): Promise<ItemView> {
    return itemWithSources(this.context, this.accounts, ecommerceId);
  }

  addSource(request: AddSourceRequest): Promise<{ item: ItemView; created: boolean }> {
    return addItemSource(this.context, this.accounts, request);
  }

  removeSource(ecommerceId: string, accountId: string): Promise<ItemView> {
    return removeItemSource(this.context, this.accounts, ecommerceId, accountId);
  }

  private async admin<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MappingNotFoundError) throw new EngineInputError('item_ecommerce_id', error.message, 404);
      if (error instanceof SalesInFlightError) throw new EngineInputError('item_ecommerce_id', error.message, 409, { sale_ids: error.saleIds });
      throw error;
    }
  }

  private knownAccount(accountId: string): void {
    if (!this.accounts.get(accountId)) {
      throw new EngineInputError('accountID', `no configured account has the id "${accountId}"`, 404, { known_account_ids: this.accounts.ids() });
    }
  }
}

/** Opaque to callers: the last e-commerce id of the page, base64url. */
const encodeCursor = (after: string) => Buffer.from(after, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (after === '' || encodeCursor(after) !== cursor) throw new EngineInputError('cursor', 'cursor is not one this API handed out', 400);
  return after;
}

function closeMatches(details: Record<string, unknown> | undefined): Array<{ posItemId: string; name: string }> | undefined {
  const list = details?.close_matches;
  if (!Array.isArray(list)) return undefined;
  return list.map((m: { pos_item_id: string; name: string }) => ({ posItemId: m.pos_item_id, name: m.name }));
}
