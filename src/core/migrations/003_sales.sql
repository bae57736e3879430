-- The sale ledger (DESIGN §4 rules 1-4). A row is written in the same transaction as the
-- reservation it makes and the dispatch job that posts it, before the 2xx answer is sent.
create table sales (
  id               text primary key,                 -- our sale id: Square's idempotency key, Lightspeed's referenceNumber, Hiboutik's ext_ref
  seq              bigserial not null unique,        -- dispatch order within an account
  idempotency_key  text unique,                      -- the client's Idempotency-Key (or body reference)
  request_hash     text not null,                    -- same key + other body is refused
  ecommerce_id     text not null references mappings (ecommerce_id),
  account_id       text not null references accounts (id),
  pos_item_id      text not null,
  quantity         integer not null check (quantity > 0),
  amount_cents     bigint not null check (amount_cents >= 0),
  reference        text,
  state            text not null check (state in ('accepted', 'dispatching', 'posted', 'failed', 'cancelled')),
  attempts         integer not null default 0,
  last_error       text,
  pos_reference    text,
  progress         jsonb,                             -- the adapter's resumable progress
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  posted_at        timestamptz,
  check ((state = 'posted') = (posted_at is not null))
);
-- What dispatch works through, in order.
create index sales_pending on sales (account_id, seq) where state in ('accepted', 'dispatching');
-- What a poll must still subtract: unsent sales, and sales posted after the POS read began.
create index sales_reserving on sales (account_id, ecommerce_id) where state in ('accepted', 'dispatching', 'failed');
create index sales_posted on sales (account_id, posted_at) where state = 'posted';
create index sales_state_recent on sales (state, seq desc);

create table sale_transitions (
  id          bigserial primary key,
  sale_id     text not null references sales (id),
  from_state  text,
  to_state    text not null,
  reason      text not null,
  at          timestamptz not null default now()
);
create index sale_transitions_sale on sale_transitions (sale_id, id);
