-- possync core schema, version 1: accounts, tokens, budgets, mappings with their stock state,
-- the stock journal, sync runs and settings. The sale ledger arrives in a later migration.

create table accounts (
  id          text primary key,            -- the config's AccountID
  name        text not null,
  pos         text not null check (pos in ('square', 'lightspeed', 'hiboutik')),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

-- Rotating OAuth tokens. Keyed by the adapter's account key, which need not be an accounts.id,
-- hence no foreign key.
create table pos_tokens (
  account_id     text primary key,
  access_token   text not null,
  refresh_token  text not null,
  expires_at     timestamptz not null,
  updated_at     timestamptz not null default now()
);

-- Calls used per account per calendar month (UTC); old months stay as history.
create table call_budgets (
  account_id  text not null,
  month       text not null check (month ~ '^[0-9]{4}-[0-9]{2}$'),
  used        integer not null check (used >= 0),
  updated_at  timestamptz not null default now(),
  primary key (account_id, month)
);

create table sync_runs (
  id             bigserial primary key,
  account_id     text not null references accounts (id),
  trigger        text not null check (trigger in ('cron', 'forced', 'register', 'webhook', 'boot', 'manual')),
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  status         text not null default 'running' check (status in ('running', 'ok', 'failed')),
  items_read     integer not null default 0,
  items_changed  integer not null default 0,
  api_calls      integer not null default 0,
  error          text,
  check ((status = 'running') = (finished_at is null))
);
create index sync_runs_account_latest on sync_runs (account_id, id desc);

-- One row per mapped item: the binding and its stock state together, so a poll touches one row.
create table mappings (
  ecommerce_id       text primary key,
  account_id         text not null references accounts (id),
  pos_item_id        text not null,
  description        text not null default '',
  limit_quantity     integer not null default 0 check (limit_quantity >= 0),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  -- null = the POS never counted it (or we never read it): unknown, never 0.
  on_hand            integer,
  -- When the POS read that produced on_hand began; an older read never overwrites a newer one.
  on_hand_read_at    timestamptz,
  -- What the shop DB gets: max(0, on_hand - reserved); null while on_hand is unknown.
  available          integer check (available >= 0),
  -- The POS no longer knows the item: flagged, quantity kept (rule 5).
  missing_on_pos     boolean not null default false,
  missing_since      timestamptz,
  missing_run_id     bigint references sync_runs (id),
  -- Last time a POS count for the item arrived, changed or not.
  last_confirmed_at  timestamptz,
  unique (account_id, pos_item_id),
  check (missing_on_pos = (missing_since is not null)),
  check ((on_hand is null) = (available is null))
);

-- Every change of an item's quantity (rule 6). before/after are what the shop sees (available);
-- the POS count is kept beside it.
create table stock_journal (
  id              bigserial primary key,
  ecommerce_id    text not null,
  account_id      text not null,
  before          integer,
  after           integer,
  on_hand_before  integer,
  on_hand_after   integer,
  cause           text not null check (cause in ('poll', 'sale', 'webhook', 'manual', 'register')),
  run_id          bigint references sync_runs (id),
  sale_id         text,
  at              timestamptz not null default now()
);
create index stock_journal_item_latest on stock_journal (ecommerce_id, id desc);
create index stock_journal_account_latest on stock_journal (account_id, id desc);
create index stock_journal_run on stock_journal (run_id) where run_id is not null;

create table settings (
  key         text primary key,
  value       jsonb not null,
  updated_at  timestamptz not null default now()
);
