/**
 * The one place where the engine's camelCase views become snake_case JSON and back. Free-text
 * error fields pass through `redact` on the way out: the engine should never put a secret in
 * them, but the API is the last door before the wire (rule 9).
 */
import type {
  AccountFreshness,
  HealthReport,
  ItemView,
  PollTaskView,
  Readiness,
  RunView,
  HeldRunSummary,
  PauseView,
  PlanItemView,
  RunDecisionView,
  RunDetailView,
  RegisterItemRequest,
  SaleRequest,
  SaleState,
  SaleView,
  CancelledSaleView,
  SynchronizerStatus,
  TaskView,
} from '../engine/ports.ts';
import type {
  HealthJson,
  ItemJson,
  PollTaskJson,
  ReadinessJson,
  RegisterTaskJson,
  RegisterItemBodyJson,
  SaleAcceptedJson,
  SaleBodyJson,
  SaleJson,
  CancelledSaleJson,
  SynchronizerStatusJson,
  TaskJson,
} from './schemas.ts';

export { redact } from '../redact.ts';
import { redact } from '../redact.ts';

export function toRegisterRequest(body: RegisterItemBodyJson): RegisterItemRequest {
  const request: RegisterItemRequest = {
    accountId: body.account_id,
    // A bare JSON number is an id like any other: the sink stores ids as text.
    ecommerceId: String(body.item_ecommerce_id),
  };
  if (body.item_name !== undefined) request.itemName = body.item_name;
  if (body.item_pos_id !== undefined) request.itemPosId = body.item_pos_id;
  if (body.limit_quantity !== undefined) request.limitQuantity = body.limit_quantity;
  return request;
}

export function toItemJson(item: ItemView): ItemJson {
  return {
    item_ecommerce_id: item.ecommerceId,
    account_id: item.accountId,
    item_pos_id: item.posItemId,
    description: item.description,
    limit_quantity: item.limitQuantity,
    on_hand: item.onHand,
    available: item.available,
    last_confirmed_at: item.lastConfirmedAt,
    missing_on_pos: item.missingOnPos,
    orphaned: item.orphaned,
    ...(item.sources
      ? {
          sources: item.sources.map((s) => ({
            account_id: s.accountId,
            item_pos_id: s.posItemId,
            description: s.description,
            limit_quantity: s.limitQuantity,
            on_hand: s.onHand,
            available: s.available,
            last_confirmed_at: s.lastConfirmedAt,
            missing_on_pos: s.missingOnPos,
            first: s.first,
          })),
        }
      : {}),
  };
}

export function toCloseMatchesJson(matches: Array<{ posItemId: string; name: string }>) {
  return matches.map((m) => ({ pos_item_id: m.posItemId, name: m.name }));
}

export function toTaskJson(task: TaskView): TaskJson {
  return task.kind === 'poll' ? toPollTaskJson(task) : toRegisterTaskJson(task);
}

function toPollTaskJson(task: PollTaskView): PollTaskJson {
  return {
    id: task.id,
    kind: 'poll',
    state: task.state,
    created_at: task.createdAt,
    finished_at: task.finishedAt,
    request: { account_id: task.request.accountId, trigger: task.request.trigger },
    progress: task.progress && { items_read: task.progress.itemsRead, items_changed: task.progress.itemsChanged },
    result: task.result && toRunJson(task.result),
    error: task.error && { message: redact(task.error.message) },
  };
}

function toRegisterTaskJson(task: Extract<TaskView, { kind: 'register-item' }>): RegisterTaskJson {
  const request: RegisterTaskJson['request'] = {
    item_ecommerce_id: task.request.ecommerceId,
    account_id: task.request.accountId,
  };
  if (task.request.itemName !== undefined) request.item_name = task.request.itemName;
  if (task.request.itemPosId !== undefined) request.item_pos_id = task.request.itemPosId;
  if (task.request.limitQuantity !== undefined) request.limit_quantity = task.request.limitQuantity;
  let error: RegisterTaskJson['error'] = null;
  if (task.error) {
    error = { message: redact(task.error.message) };
    if (task.error.closeMatches) error.close_matches = toCloseMatchesJson(task.error.closeMatches);
  }
  return {
    id: task.id,
    kind: task.kind,
    state: task.state,
    created_at: task.createdAt,
    finished_at: task.finishedAt,
    request,
    result: task.result ? toItemJson(task.result) : null,
    error,
  };
}

export function toStatusJson(status: SynchronizerStatus): SynchronizerStatusJson {
  return {
    running: status.running,
    cron: status.cron,
    time_zone: status.timeZone,
    cron_text: status.cronText,
    next_run_at: status.nextRunAt,
    last_run_at: status.lastRunAt,
    accounts: status.accounts.map((a) => ({
      account_id: a.accountId,
      account_name: a.accountName,
      pos: a.pos,
      last_run: a.lastRun && toRunJson(a.lastRun),
      freshness: a.freshness && toFreshnessJson(a.freshness),
      quota: a.quota && { state: a.quota.state, used: a.quota.used, limit: a.quota.limit, resumes_at: a.quota.resumesAt },
      held_run_id: a.heldRunId ?? null,
      paused: a.pause ? toPauseJson(a.pause) : null,
    })),
  };
}

function toRunJson(run: RunView) {
  return {
    id: run.id,
    trigger: run.trigger,
    status: run.status,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    items_read: run.itemsRead,
    items_changed: run.itemsChanged,
    api_calls: run.apiCalls,
    error: run.error === null ? null : redact(run.error),
  };
}

export function toFreshnessJson(f: AccountFreshness) {
  return {
    items: f.items,
    stale_items: f.staleItems,
    never_confirmed: f.neverConfirmed,
    max_item_age_seconds: f.maxItemAgeSeconds,
    max_age_source: f.maxAgeSource,
    oldest_confirmed_at: f.oldestConfirmedAt,
  };
}

export function toQueuedJson(queued: Array<{ accountId: string; jobId: string | null }>) {
  return { queued: queued.map((q) => ({ account_id: q.accountId, job_id: q.jobId })) };
}

/** Health carries reason codes only; the sink's target is passed through `redact` all the same. */
export function toHealthJson(health: HealthReport, version: string): HealthJson {
  const reason = (r: string | undefined) => (r === undefined ? {} : { reason: r });
  return {
    status: health.status,
    version,
    checked_at: health.checkedAt,
    core: { status: health.core.status, kind: health.core.kind, ...reason(health.core.reason) },
    jobs: { status: health.jobs.status, ...reason(health.jobs.reason) },
    sink: {
      status: health.sink.status,
      target: redact(health.sink.target),
      ...reason(health.sink.reason),
      last_write: health.sink.lastWrite,
    },
    accounts: health.accounts.map((a) => ({
      account_id: a.accountId,
      pos: a.pos,
      status: a.status,
      reasons: a.reasons,
      last_poll: a.lastPoll && { status: a.lastPoll.status, started_at: a.lastPoll.startedAt, finished_at: a.lastPoll.finishedAt },
      freshness: a.freshness && toFreshnessJson(a.freshness),
      held_run_id: a.heldRunId,
      paused: a.paused,
    })),
    sales: {
      status: health.sales.status,
      ...reason(health.sales.reason),
      oldest_pending_at: health.sales.oldestPendingAt,
      oldest_pending_age_seconds: health.sales.oldestPendingAgeSeconds,
      failed: health.sales.failed,
      incomplete: health.sales.incomplete,
    },
  };
}

export function toReadinessJson(readiness: Readiness, version: string): ReadinessJson {
  return {
    ready: readiness.ready,
    migrations: readiness.migrations,
    workers: readiness.workers,
    health: toHealthJson(readiness.health, version),
  };
}

/** The header wins; without one the body's `reference` (an order id) makes a natural key. */
export function toSaleRequest(body: SaleBodyJson, headerKey: string | undefined): SaleRequest {
  const request: SaleRequest = {
    ecommerceId: String(body.item_ecommerce_id),
    quantity: body.delta,
    amountCents: body.balance,
  };
  const key = headerKey ?? body.reference;
  if (key !== undefined) request.idempotencyKey = key;
  if (body.reference !== undefined) request.reference = body.reference;
  return request;
}

export const saleLocation = (id: string) => `/api/sales/${encodeURIComponent(id)}`;

export function toSaleAcceptedJson(sale: { id: string; state: SaleState }): SaleAcceptedJson {
  return { sale_id: sale.id, status: sale.state, location: saleLocation(sale.id) };
}

export function toCancelledSaleJson(sale: CancelledSaleView): CancelledSaleJson {
  const json: CancelledSaleJson = toSaleJson(sale);
  if (sale.notCancelled) {
    json.not_cancelled = sale.notCancelled.map((p) => ({ sale_id: p.saleId, state: p.state, account_id: p.accountId, pos_reference: p.posReference, why: p.why }));
  }
  return json;
}

export function toSaleJson(sale: SaleView): SaleJson {
  return {
    sale_id: sale.id,
    state: sale.state,
    item_ecommerce_id: sale.ecommerceId,
    account_id: sale.accountId,
    pos_item_id: sale.posItemId,
    quantity: sale.quantity,
    amount_cents: sale.amountCents,
    reference: sale.reference,
    idempotency_key: sale.idempotencyKey,
    attempts: sale.attempts,
    // POS error texts are the likeliest place for a leaked token.
    last_error: sale.lastError === null ? null : redact(sale.lastError),
    pos_reference: sale.posReference,
    created_at: sale.createdAt,
    updated_at: sale.updatedAt,
    history: sale.history.map((t) => ({ from: t.from, to: t.to, at: t.at, reason: redact(t.reason) })),
    ...(sale.parts
      ? {
          parts: sale.parts.map((p) => ({
            sale_id: p.id,
            state: p.state,
            account_id: p.accountId,
            pos_item_id: p.posItemId,
            quantity: p.quantity,
            amount_cents: p.amountCents,
            attempts: p.attempts,
            last_error: p.lastError === null ? null : redact(p.lastError),
            pos_reference: p.posReference,
          })),
        }
      : {}),
    ...(sale.partOf ? { part_of: sale.partOf } : {}),
  };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** EngineInputError details are free-form camelCase; clients get snake_case keys, recursively. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), snakeKeys(v)]));
  }
  return value;
}

export function toPauseJson(pause: PauseView) {
  return { reason: pause.reason, run_id: pause.runId, paused_at: pause.pausedAt };
}

export function toRunDetailJson(detail: RunDetailView) {
  return {
    run: toRunJson(detail.run),
    account_id: detail.accountId,
    held_reason: detail.heldReason,
    decision: detail.decision,
    decided_at: detail.decidedAt,
    superseded_by: detail.supersededBy,
    reverted_at: detail.revertedAt,
    items_source: detail.itemsSource,
    items: detail.items.map((item: PlanItemView) => ({
      item_ecommerce_id: item.ecommerceId,
      item_pos_id: item.posItemId,
      kind: item.kind,
      before: item.before,
      after: item.after,
      on_hand_before: item.onHandBefore,
      on_hand_after: item.onHandAfter,
      note: item.note,
    })),
    next_cursor: detail.nextCursor,
  };
}

export function toRunDecisionJson(decision: RunDecisionView) {
  return {
    run: toRunDetailJson(decision.detail),
    written: decision.written,
    skipped: decision.skipped.map((s) => ({ item_ecommerce_id: s.ecommerceId, reason: s.reason })),
    paused: decision.paused && toPauseJson(decision.paused),
  };
}

export function toHeldRunsJson(runs: HeldRunSummary[]) {
  return {
    runs: runs.map((r) => ({ run_id: r.runId, account_id: r.accountId, trigger: r.trigger, started_at: r.startedAt, held_reason: r.heldReason, items: r.items })),
  };
}
