import type { WebhookDelivery } from '../pos/contract.ts';
import type { WebhookAnswer } from './webhooks.ts';
import type { WebhookSetupResult } from './webhook-setup.ts';
import type { AccountFreshness } from './freshness.ts';
import type { HealthReport, Readiness } from './health.ts';
import type { BulkRow } from './bulk/rows.ts';
import type { ShopKey } from '../config/types.ts';
import type { ImportSummary, RowReport } from './bulk/report.ts';
import type { MappingFilter } from '../core/mapping-list.ts';
export type { AccountFreshness } from './freshness.ts';
export type { HealthReport, HealthLevel, Readiness } from './health.ts';

/**
 * What the HTTP API (and the CLI) may ask of the running service. The engine implements these;
 * the API only translates HTTP to these calls and back, so it can be tested with `inject`.
 */
import type { QuotaState } from '../pos/contract.ts';

export interface AccountRunView {
  accountId: string;
  accountName: string;
  pos: string;
  lastRun: RunView | null;
  /** Items, stale items and the maximum age that applies (null only in fakes without a core). */
  freshness: AccountFreshness | null;
  /** The POS's call quota, when it has one (polls pause while it is not ok). */
  quota: QuotaState | null;
  /** The newest held run waiting for a decision (the account is degraded meanwhile). */
  heldRunId?: number | null;
  /** Polls paused by an operator's revert until resumed. */
  pause?: PauseView | null;
}

export interface RunView {
  id: number;
  trigger: string;
  /** held: the breaker stopped it (see /api/runs/{id}); discarded / superseded: decided without writing. */
  status: 'running' | 'ok' | 'failed' | 'held' | 'discarded' | 'superseded';
  startedAt: string;
  finishedAt: string | null;
  itemsRead: number;
  itemsChanged: number;
  apiCalls: number;
  error: string | null;
}

/** An account whose polls an operator paused (after a revert) until POST /api/accounts/{id}/resume. */
export interface PauseView {
  reason: string;
  runId: number | null;
  pausedAt: string;
}

/** One item of a run's plan (held runs) or of what it changed (applied runs, from the journal). */
export interface PlanItemView {
  ecommerceId: string;
  posItemId: string;
  /** count: the count moves; missing: the POS no longer knows it (flagged, quantity kept); uncounted: the POS gave no count. */
  kind: 'count' | 'missing' | 'uncounted';
  before: number | null;
  after: number | null;
  onHandBefore: number | null;
  onHandAfter: number | null;
  note: string | null;
}

export interface RunDetailView {
  run: RunView;
  accountId: string;
  /** Why the breaker held it. */
  heldReason: string | null;
  decision: 'applied' | 'discarded' | 'superseded' | null;
  decidedAt: string | null;
  supersededBy: number | null;
  revertedAt: string | null;
  /** plan: the stored plan of a run that was held; journal: what an applied run changed. */
  itemsSource: 'plan' | 'journal';
  items: PlanItemView[];
  nextCursor: string | null;
}

export interface RunDecisionView {
  detail: RunDetailView;
  /** Items written (apply), or put back (revert). */
  written: number;
  /** Items left as they are, each with why. */
  skipped: Array<{ ecommerceId: string; reason: string }>;
  /** After a revert: the account's polls wait for a resume. */
  paused: PauseView | null;
}

export interface HeldRunSummary {
  runId: number;
  accountId: string;
  trigger: string;
  startedAt: string;
  heldReason: string | null;
  items: number;
}

/** Held runs and undo (issue 12). EngineInputError 404 for an unknown run or account, 409 for one in the wrong state. */
export interface RunControl {
  get(runId: number, page: { limit: number; cursor?: string }): Promise<RunDetailView>;
  held(accountId?: string): Promise<HeldRunSummary[]>;
  /** Writes the held plan (a newer read or a count already at its value is skipped), reservations of now subtracted. */
  apply(runId: number): Promise<RunDecisionView>;
  /** Drops the held plan; writes nothing. */
  discard(runId: number): Promise<RunDecisionView>;
  /** Puts back what an applied run replaced where the count has not changed since; pauses the account's polls. */
  revert(runId: number): Promise<RunDecisionView>;
  /** Lifts the pause; 409 when the account is not paused. */
  resume(accountId: string): Promise<{ accountId: string; lifted: PauseView }>;
}

export interface SynchronizerStatus {
  running: boolean;
  cron: string;
  timeZone: string;
  /** The cron in words ("Every 5 minutes"). */
  cronText: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  accounts: AccountRunView[];
}

export class EngineInputError extends Error {
  constructor(
    /** The request field at fault, e.g. "cron" or "account_id". */
    readonly field: string,
    message: string,
    /** 400 bad value, 404 unknown thing, 409 conflict, 422 no such item on the POS. */
    readonly status: 400 | 404 | 409 | 422 = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EngineInputError';
  }
}

export interface SynchronizerControl {
  status(): Promise<SynchronizerStatus>;
  /** Starts the schedule; a new cron/time zone is validated (EngineInputError) and stored. */
  start(change?: { cron?: string; timeZone?: string }): Promise<SynchronizerStatus>;
  stop(): Promise<SynchronizerStatus>;
  /** Queues a poll now for one account or all; polls already queued collapse into one. */
  forceUpdate(accountId?: string): Promise<Array<{ accountId: string; jobId: string | null }>>;
}

export interface RegisterItemRequest {
  accountId: string;
  ecommerceId: string;
  itemName?: string;
  itemPosId?: string;
  limitQuantity?: number;
}

export interface ItemView {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  description: string;
  limitQuantity: number;
  onHand: number | null;
  available: number | null;
  lastConfirmedAt: string | null;
  missingOnPos: boolean;
  /** Its account is no longer in the configuration: not polled, and its sales are refused. */
  orphaned: boolean;
  /**
   * Present when the item is sold from more than one source (issue 12): the first source (the
   * fields above) and each extra one, each with its own count, floor and available. `available`
   * above is then the sum of the sources' (what the shop's table gets).
   */
  sources?: ItemSourceView[];
}

export interface ItemSourceView
  extends Pick<ItemView, 'accountId' | 'posItemId' | 'description' | 'limitQuantity' | 'onHand' | 'available' | 'lastConfirmedAt' | 'missingOnPos'> {
  /** The item's first source (its mapping); removed only by unmapping the item. */
  first: boolean;
}

/** A further POS item to sell an already mapped e-commerce item from. */
export interface AddSourceRequest {
  ecommerceId: string;
  accountId: string;
  itemName?: string;
  itemPosId?: string;
  limitQuantity?: number;
}

export type TaskState = 'queued' | 'running' | 'done' | 'failed';

/** A task the API handed out: an item registration or a poll (forceUpdate). */
export type TaskView = RegisterTaskView | PollTaskView;

export interface PollTaskView {
  id: string;
  kind: 'poll';
  state: TaskState;
  createdAt: string;
  finishedAt: string | null;
  request: { accountId: string; trigger: string };
  /** While it runs: counts so far. */
  progress: { itemsRead: number; itemsChanged: number } | null;
  /** The sync run it recorded, once finished. */
  result: RunView | null;
  error: { message: string } | null;
}

export interface RegisterTaskView {
  id: string;
  kind: 'register-item';
  state: TaskState;
  createdAt: string;
  finishedAt: string | null;
  request: RegisterItemRequest;
  result: ItemView | null;
  /** On failure: a message and, when the POS had no such item, its close matches. */
  error: { message: string; closeMatches?: Array<{ posItemId: string; name: string }> } | null;
}

/** A bulk mapping (issue 10): progress while it runs, the report of every row when done. */
export interface BulkTaskView {
  id: string;
  kind: 'bulk-import';
  state: TaskState;
  dryRun: boolean;
  createdAt: string;
  finishedAt: string | null;
  done: number;
  total: number;
  summary: ImportSummary | null;
  report: RowReport[] | null;
  error: string | null;
}

export interface ItemChange {
  limitQuantity?: number;
  description?: string;
}

/** What becomes of the shop's row when an item is unmapped: left as it is, or set to 0. */
export type ShopRowChoice = 'keep' | 'zero';

export interface ItemPageQuery {
  limit: number;
  cursor?: string;
  filter?: MappingFilter;
  /** For the stale filter: not confirmed within this many seconds. */
  staleAfterSeconds?: number;
}

export interface ItemRegistry {
  /** Validates, then queues the registration; returns the task to poll. */
  register(request: RegisterItemRequest): Promise<RegisterTaskView>;
  /** Registers in-line (the POS lookup included) and returns the mapping, or throws EngineInputError. */
  registerNow(request: RegisterItemRequest): Promise<ItemView>;
  /**
   * Maps many rows as one job (returned queued), or in-line with `wait` (returned done, with the
   * report). A dry run writes no mapping and no shop row.
   */
  bulk(rows: BulkRow[], options: { dryRun: boolean; wait: boolean }): Promise<BulkTaskView>;
  /**
   * Bulk mapping of the shop table's own rows for one account, by its configured SKU or barcode
   * column. EngineInputError 404 for an unknown account, 400 when that column is not configured.
   */
  autoMatch(accountId: string, by: ShopKey, options: { dryRun: boolean; wait: boolean }): Promise<BulkTaskView>;
  task(id: string): Promise<TaskView | BulkTaskView | null>;
  list(accountId: string): Promise<ItemView[]>;
  listPage(accountId: string, query: ItemPageQuery): Promise<{ items: ItemView[]; nextCursor: string | null }>;
  /** EngineInputError 404 when not mapped. */
  update(ecommerceId: string, change: ItemChange): Promise<ItemView>;
  /** EngineInputError 404 when not mapped, 409 while it has unfinished sales. */
  unmap(ecommerceId: string, shopRow: ShopRowChoice): Promise<ItemView>;
  /** The item with its sources; EngineInputError 404 when not mapped. */
  get(ecommerceId: string): Promise<ItemView>;
  /** Adds a source in another account (the POS item looked up like a registration); `created` false when it was there already. */
  addSource(request: AddSourceRequest): Promise<{ item: ItemView; created: boolean }>;
  /** Removes an extra source; 404 when the item has none in that account, 409 for its first source. */
  removeSource(ecommerceId: string, accountId: string): Promise<ItemView>;
}

/** Webhook intake and set-up (routes outside /api, proven by signature or URL token). */
export interface WebhookControl {
  receive(pos: string, accountId: string, token: string | null, delivery: WebhookDelivery): Promise<WebhookAnswer>;
  /** Registers possync with the account's POS (or says what to do by hand). EngineInputError 404 for an unknown account. */
  setup(accountId: string, options?: { manual?: boolean }): Promise<WebhookSetupResult>;
}

export interface Service {
  synchronizer: SynchronizerControl;
  webhooks: WebhookControl;
  items: ItemRegistry;
  runs: RunControl;
  sales: SaleLedger;
  /** Liveness: every part with ok / degraded / down, and no error text (reasons are fixed codes). */
  health(): Promise<HealthReport>;
  /** Readiness to take sales: the health report plus whether migrations ran and workers run. */
  readiness(): Promise<Readiness>;
  /** Per account: items, stale items and the maximum age in force. */
  freshness(): Promise<AccountFreshness[]>;
  /** Account ids from config, for validation messages. */
  accountIds(): string[];
}

/** The sale ledger's states; allowed moves are written once in src/core/sales/states.ts. */
export type { SaleState } from '../core/sales/states.ts';
import type { SaleState } from '../core/sales/states.ts';

export interface SaleRequest {
  ecommerceId: string;
  /** Units sold (the original's `delta`), a positive integer. */
  quantity: number;
  /** Amount paid in cents (the original's `balance`). */
  amountCents: number;
  /** The client's Idempotency-Key header, or the body's `reference` (e.g. the shop's order id). */
  idempotencyKey?: string;
  reference?: string;
}

export interface SaleTransitionView {
  from: SaleState | null;
  to: SaleState;
  at: string;
  reason: string;
}

export interface SaleView {
  id: string;
  state: SaleState;
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  quantity: number;
  amountCents: number;
  reference: string | null;
  idempotencyKey: string | null;
  attempts: number;
  lastError: string | null;
  posReference: string | null;
  createdAt: string;
  updatedAt: string;
  history: SaleTransitionView[];
  /**
   * Present when the sale was split over several sources (issue 12): every part, the first one
   * included (its id is the sale's). The sale's quantity and amount are then the parts' sums and
   * its state sums theirs up (failed > dispatching > accepted > posted > cancelled).
   */
  parts?: SalePartView[];
  /** Present on the second and later parts of a split sale: the sale they belong to. */
  partOf?: string;
}

/**
 * The answer to a cancel of a split sale by its id (issue 12): every part not yet on its POS was
 * cancelled; these are the parts that were not (posted, being posted, or incomplete without the
 * operator's word that it was removed from the POS), each with why.
 */
export interface KeptPartView {
  saleId: string;
  state: SaleState;
  accountId: string;
  posReference: string | null;
  why: string;
}

export type CancelledSaleView = SaleView & { notCancelled?: KeptPartView[] };

/** One part of a split sale: the unit posted to one account, exactly once. */
export interface SalePartView {
  id: string;
  state: SaleState;
  accountId: string;
  posItemId: string;
  quantity: number;
  amountCents: number;
  attempts: number;
  lastError: string | null;
  posReference: string | null;
}

export type SaleIntakeResult =
  /** Accepted now, or the same key and body seen before (`replayed`). */
  | { outcome: 'accepted'; sale: { id: string; state: SaleState }; replayed: boolean }
  /** Not enough stock above the item's floor: nothing was written. */
  | { outcome: 'insufficient'; available: number | null; limitQuantity: number };

export interface SaleLedger {
  /**
   * Validates, then in one transaction: the conditional reservation, the ledger row and its
   * dispatch job. Throws EngineInputError for an unknown item (404), a reused key with another
   * body (422), or bad values (400).
   */
  accept(request: SaleRequest): Promise<SaleIntakeResult>;
  get(id: string): Promise<SaleView | null>;
  list(query: { state?: SaleState; limit?: number; before?: string }): Promise<SaleView[]>;
  /**
   * failed|incomplete → dispatching, queued again; `reason` says where it was asked (journaled).
   * On a split sale's id: each failed or incomplete part. 404 unknown, 409 when nothing could be retried.
   */
  retry(id: string, reason?: string): Promise<SaleView>;
  /**
   * accepted|failed → cancelled, reservation released and journaled; incomplete → cancelled only
   * with `removedFromPos` (the operator removed it on the POS). On a split sale's id: every part
   * that can be, the others listed in `notCancelled`. 404 unknown, 409 when nothing was cancelled.
   */
  cancel(id: string, reason?: string, options?: { removedFromPos?: boolean }): Promise<CancelledSaleView>;
}
