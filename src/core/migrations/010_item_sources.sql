-- One online item sold from several POS accounts (issue 12, part 3).
--
-- The `mappings` row stays the item (one per e-commerce id) and its first source, unchanged: an
-- item with one source behaves exactly as before. Every further source is a row here with its
-- own stock state (count, reservations subtracted, floor), one per account. What the shop's
-- table gets is the sum of the sources' known available quantities.
create table item_sources (
  ecommerce_id     text not null references mappings (ecommerce_id) on delete cascade,
  account_id       text not null references accounts (id),
  pos_item_id      text not null,
  description      text not null default '',
  limit_quantity   integer not null default 0 check (limit_quantity >= 0),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  on_hand          integer,
  on_hand_read_at  timestamptz,
  available        integer check (available >= 0),
  missing_on_pos   boolean not null default false,
  missing_since    timestamptz,
  last_confirmed_at timestamptz,
  primary key (ecommerce_id, account_id),
  unique (account_id, pos_item_id),
  check (missing_on_pos = (missing_since is not null)),
  check ((on_hand is null) = (available is null))
);

-- Sum of the extra sources' known available quantities (null: none, or none counted yet), kept
-- in the transaction that changes one, so the sink's pending test stays one row read.
alter table mappings add column sources_available integer check (sources_available >= 0);
create index mappings_multi_source on mappings (ecommerce_id) where sources_available is not null;

-- A sale split over several sources: each part is a ledger row (the unit of dispatch per
-- account); the first part carries the sale's id, the others point at it.
alter table sales add column parent_id text references sales (id);
create index sales_parts on sales (parent_id, seq) where parent_id is not null;
