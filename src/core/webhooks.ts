import type { SqlQueryable } from './sql.ts';

/**
 * The core's side of real-time intake: webhook endpoints (what proves a delivery genuine), the
 * events received (deduplicated by the POS's event id) and the change-poll cursors.
 */

export interface WebhookEndpoint {
  accountId: string;
  proof: 'signature' | 'url-token';
  /** Square's signature key, or the SHA-256 (hex) of the Hiboutik URL token. */
  secret: string;
  notificationUrl: string;
  posReferences: string[];
}

interface EndpointRow {
  account_id: string;
  proof: 'signature' | 'url-token';
  secret: string;
  notification_url: string;
  pos_references: string[];
}

export async function getWebhookEndpoint(sql: SqlQueryable, accountId: string): Promise<WebhookEndpoint | null> {
  const { rows } = await sql.query<EndpointRow>('select account_id, proof, secret, notification_url, pos_references from webhook_endpoints where account_id = $1', [accountId]);
  const row = rows[0];
  return row ? { accountId: row.account_id, proof: row.proof, secret: row.secret, notificationUrl: row.notification_url, posReferences: row.pos_references } : null;
}

export async function saveWebhookEndpoint(sql: SqlQueryable, endpoint: WebhookEndpoint): Promise<void> {
  await sql.query(
    `insert into webhook_endpoints (account_id, proof, secret, notification_url, pos_references) values ($1, $2, $3, $4, $5::text[])
     on conflict (account_id) do update
       set proof = excluded.proof, secret = excluded.secret, notification_url = excluded.notification_url,
           pos_references = excluded.pos_references, updated_at = now()`,
    [endpoint.accountId, endpoint.proof, endpoint.secret, endpoint.notificationUrl, endpoint.posReferences],
  );
}

export interface NewWebhookEvent {
  accountId: string;
  eventId: string;
  /** null: the event does not say which items moved. */
  posItemIds: string[] | null;
  createdAt?: Date;
}

/**
 * Records an event once. Returns 'new', 'pending' (seen, not applied yet: worth queueing again
 * in case the first enqueue was lost) or 'applied' (a duplicate to drop).
 */
export async function recordWebhookEvent(sql: SqlQueryable, event: NewWebhookEvent): Promise<'new' | 'pending' | 'applied'> {
  const { rows } = await sql.query<{ event_id: string }>(
    `insert into webhook_events (account_id, event_id, pos_item_ids, created_at) values ($1, $2, $3::text[], $4)
     on conflict (account_id, event_id) do nothing returning event_id`,
    [event.accountId, event.eventId, event.posItemIds, event.createdAt ?? null],
  );
  if (rows.length > 0) return 'new';
  const seen = await sql.query<{ applied: boolean }>('select applied_at is not null as applied from webhook_events where account_id = $1 and event_id = $2', [event.accountId, event.eventId]);
  return seen.rows[0]?.applied ? 'applied' : 'pending';
}

export interface PendingWebhookEvent {
  eventId: string;
  posItemIds: string[] | null;
}

/** Events not applied yet, oldest first (at most `limit`). */
export async function pendingWebhookEvents(sql: SqlQueryable, accountId: string, limit = 1000): Promise<PendingWebhookEvent[]> {
  const { rows } = await sql.query<{ event_id: string; pos_item_ids: string[] | null }>(
    `select event_id, pos_item_ids from webhook_events where account_id = $1 and applied_at is null order by received_at, event_id limit $2`,
    [accountId, limit],
  );
  return rows.map((row) => ({ eventId: row.event_id, posItemIds: row.pos_item_ids }));
}

export async function accountsWithPendingEvents(sql: SqlQueryable): Promise<string[]> {
  const { rows } = await sql.query<{ account_id: string }>('select distinct account_id from webhook_events where applied_at is null');
  return rows.map((row) => row.account_id);
}

export async function markWebhookEventsApplied(sql: SqlQueryable, accountId: string, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await sql.query('update webhook_events set applied_at = now() where account_id = $1 and event_id = any($2::text[])', [accountId, [...eventIds]]);
}

/** Forgets applied events older than `keepMs` (past the POS's retry window, a replay is refused as stale). */
export async function pruneWebhookEvents(sql: SqlQueryable, keepMs: number): Promise<void> {
  await sql.query(`delete from webhook_events where applied_at is not null and received_at < now() - make_interval(secs => $1)`, [keepMs / 1000]);
}

export async function getChangeCursor(sql: SqlQueryable, accountId: string): Promise<Date | null> {
  const { rows } = await sql.query<{ since: Date }>('select since from change_cursors where account_id = $1', [accountId]);
  return rows[0]?.since ?? null;
}

/** Moves the cursor forward only (two overlapping change polls cannot move it back). */
export async function advanceChangeCursor(sql: SqlQueryable, accountId: string, since: Date): Promise<void> {
  await sql.query(
    `insert into change_cursors (account_id, since) values ($1, $2)
     on conflict (account_id) do update set since = greatest(change_cursors.since, excluded.since), updated_at = now()`,
    [accountId, since],
  );
}
