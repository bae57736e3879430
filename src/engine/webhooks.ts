import { createHash, timingSafeEqual } from 'node:crypto';
import type { SyncContext } from './sync.ts';
import { databaseNow, flushSink } from './sync.ts';
import { applyGuarded, realtimeWaits } from './realtime-guard.ts';
import type { AccountHandle, AccountSet } from './accounts.ts';
import type { PushSecret, StockCount, WebhookDelivery } from '../pos/contract.ts';
import { mappedPosIds } from '../core/mappings.ts';
import {
  getWebhookEndpoint,
  markWebhookEventsApplied,
  pendingWebhookEvents,
  pruneWebhookEvents,
  recordWebhookEvent,
  type WebhookEndpoint,
} from '../core/webhooks.ts';

/**
 * Webhook intake. A delivery is proven (signature or URL token), read by its POS's channel,
 * recorded once by event id and answered at once; the work is a job (`applyWebhookEvents`) that
 * re-reads the named items' counts in one batch and applies them through the poll's own path.
 *
 * Why re-read instead of applying the counts a Square event carries: a re-read is a POS read like
 * a poll's, started on the database's clock, so rule 4 (sales posted after the read began are
 * still subtracted) holds exactly as for polls, and a late, duplicated or out-of-order event can
 * only ever bring the current count. Applying the payload would compare Square's `calculated_at`
 * with our own clock to decide which sales it includes. The cost is one counts call per batch of
 * events (events that arrive while one is queued share it), and nothing at idle.
 */

/** Applied events are kept past Square's 72-hour retry window; older deliveries are refused as stale. */
export const EVENT_RETENTION_MS = 4 * 24 * 60 * 60 * 1000;

export type WebhookAnswer =
  | { status: 200; body: { received: true; outcome: 'queued' | 'duplicate' | 'ignored' } }
  | { status: 400 | 401 | 403 | 404; body: { error: string; message: string } };

export interface WebhookIntakeOptions {
  /** Where POS webhooks reach this service (Server.PublicUrl, or the address it listens on). */
  publicUrl: () => string;
  /** Queues the apply job for an account (pg-boss, singleton per account). */
  queue(accountId: string): Promise<void>;
}

export const tokenDigest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The path of an account's webhook, below the public URL (token appended for url-token channels). */
export function webhookPath(pos: string, accountId: string): string {
  return `/webhooks/${pos}/${encodeURIComponent(accountId)}`;
}

const refused = (status: 401 | 403 | 404, message: string): WebhookAnswer => ({
  status,
  body: { error: status === 404 ? 'not_found' : status === 401 ? 'unauthorized' : 'forbidden', message },
});

export class WebhookIntake {
  constructor(
    private readonly context: Pick<SyncContext, 'core'>,
    private readonly accounts: AccountSet,
    private readonly options: WebhookIntakeOptions,
  ) {}

  async receive(pos: string, accountId: string, token: string | null, delivery: WebhookDelivery): Promise<WebhookAnswer> {
    const account = this.accounts.get(accountId);
    const push = account?.adapter.push;
    if (!account || !push || account.config.connection.pos !== pos) return refused(404, `no ${pos} account "${accountId}" takes webhooks here`);
    const endpoint = await getWebhookEndpoint(this.context.core.sql, accountId);
    let secret: PushSecret;
    if (push.proof === 'url-token') {
      if (token === null) return refused(401, 'this webhook URL needs its token');
      if (!endpoint || endpoint.proof !== 'url-token' || !sameDigest(tokenDigest(token), endpoint.secret)) return refused(403, 'wrong webhook token');
      secret = { notificationUrl: endpoint.notificationUrl };
    } else {
      const resolved = this.signatureSecret(account, endpoint);
      if (!resolved) return refused(403, 'no webhook is set up for this account (possync webhooks setup)');
      secret = resolved;
    }
    const verdict = push.read(delivery, secret, new Date());
    if (!verdict.ok) return { status: verdict.status, body: { error: verdict.status === 400 ? 'bad_request' : verdict.status === 401 ? 'unauthorized' : 'forbidden', message: verdict.reason } };
    if (!verdict.event) return { status: 200, body: { received: true, outcome: 'ignored' } };
    const seen = await recordWebhookEvent(this.context.core.sql, { accountId, ...verdict.event });
    // 'pending': seen but not applied; queue again in case the first enqueue was lost.
    if (seen !== 'applied') await this.options.queue(accountId);
    return { status: 200, body: { received: true, outcome: seen === 'new' ? 'queued' : 'duplicate' } };
  }

  /** A key from the config (set up by hand) wins over one `webhooks setup` stored. */
  private signatureSecret(account: AccountHandle, endpoint: WebhookEndpoint | null): PushSecret | null {
    const configured = account.config.realtime?.webhook;
    if (configured) {
      return { signatureKey: configured.signatureKey, notificationUrl: configured.url ?? `${this.options.publicUrl()}${webhookPath(account.config.connection.pos, account.config.id)}` };
    }
    if (!endpoint || endpoint.proof !== 'signature') return null;
    return { signatureKey: endpoint.secret, notificationUrl: endpoint.notificationUrl };
  }
}

function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

export interface WebhookApplySummary {
  events: number;
  itemsRead: number;
  itemsChanged: number;
  apiCalls: number;
  /** Set when the breaker held the batch as a run. */
  heldRunId?: number;
}

const BATCH = 1000;

/**
 * The job: every pending event of the account, its mapped items re-read in one batch and applied
 * like a poll page (journal cause `webhook`, with the event ids). Items no mapping uses cost no
 * call. A failed read leaves the events pending for the job's retry (and the next poll covers them).
 */
export async function applyWebhookEvents(context: SyncContext, account: AccountHandle): Promise<WebhookApplySummary> {
  const { core } = context;
  const accountId = account.config.id;
  const summary: WebhookApplySummary = { events: 0, itemsRead: 0, itemsChanged: 0, apiCalls: 0 };
  const callsBefore = account.adapter.apiCalls();
  // A held run or a paused account: the events stay pending until the operator decides.
  if (await realtimeWaits(context, accountId)) return summary;
  for (;;) {
    const events = await pendingWebhookEvents(core.sql, accountId, BATCH);
    if (events.length === 0) break;
    const mapped = await mappedPosIds(core.sql, accountId);
    const isMapped = new Set(mapped);
    const byItem = new Map<string, string[]>();
    for (const event of events) {
      for (const id of event.posItemIds ?? mapped) {
        if (!isMapped.has(id)) continue;
        const list = byItem.get(id) ?? [];
        if (!list.includes(event.eventId)) list.push(event.eventId);
        byItem.set(id, list);
      }
    }
    if (byItem.size > 0) {
      const eventIds = new Map([...byItem].map(([id, list]) => [id, list.join(',')]));
      const readStartedAt = await databaseNow(core.sql);
      const pages: StockCount[][] = [];
      for await (const page of account.adapter.readCounts([...byItem.keys()])) {
        pages.push(page);
        summary.itemsRead += page.length;
      }
      // Planned, measured by the breaker, then applied or held (the events are then in the held run).
      const outcome = await applyGuarded(context, account, pages, readStartedAt, { cause: 'webhook', trigger: 'webhook', eventIds, apiCalls: account.adapter.apiCalls() - callsBefore });
      if (outcome.state === 'applied') summary.itemsChanged += outcome.itemsChanged;
      else summary.heldRunId = outcome.runId;
    }
    await markWebhookEventsApplied(core.sql, accountId, events.map((e) => e.eventId));
    summary.events += events.length;
    if (events.length < BATCH) break;
  }
  summary.apiCalls = account.adapter.apiCalls() - callsBefore;
  await flushSink(context, accountId);
  // Forgetting old events is housekeeping: at most every ten minutes, not on every delivery's path.
  if (Date.now() - lastPrunedAt > PRUNE_EVERY_MS) {
    lastPrunedAt = Date.now();
    await pruneWebhookEvents(core.sql, EVENT_RETENTION_MS);
  }
  return summary;
}

const PRUNE_EVERY_MS = 10 * 60 * 1000;
let lastPrunedAt = 0;
