-- Real-time intake (issue 11): where each POS pushes to, the events it pushed, and how far
-- Lightspeed's change polls got.

-- One webhook endpoint per account. `secret` is the key the POS signs with (Square: it issues
-- it, possync needs it in clear to check signatures) or the SHA-256 of the URL token possync
-- generated (Hiboutik signs nothing; the token itself is never stored).
create table webhook_endpoints (
  account_id        text primary key,
  proof             text not null check (proof in ('signature', 'url-token')),
  secret            text not null,
  notification_url  text not null,
  pos_references    text[] not null default '{}',   -- subscription / webhook ids on the POS
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

-- Every accepted delivery, keyed by the POS's event id: a duplicate is dropped at the door.
-- pos_item_ids null = the event does not say which items moved (re-read every mapped item).
create table webhook_events (
  account_id    text not null,
  event_id      text not null,
  pos_item_ids  text[],
  created_at    timestamptz,                          -- when the POS says it happened
  received_at   timestamptz not null default now(),
  applied_at    timestamptz,
  primary key (account_id, event_id)
);
create index webhook_events_pending on webhook_events (account_id, received_at) where applied_at is null;
create index webhook_events_received on webhook_events (received_at);

-- The POS-clock time a change poll has read up to (Lightspeed ItemShop.timeStamp).
create table change_cursors (
  account_id  text primary key,
  since       timestamptz not null,
  updated_at  timestamptz not null default now()
);

-- The event(s) behind a change brought by a webhook.
alter table stock_journal add column event_id text;
