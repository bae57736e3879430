-- Onboarding a real catalog (issue 10): bulk imports with their report, unmapping, and item
-- freshness that a poll in which nothing changed does not have to write row by row.

-- One bulk mapping (CSV or JSON rows) run as one job; the report is kept for the caller to read.
create table item_imports (
  id           uuid primary key,
  dry_run      boolean not null,
  state        text not null check (state in ('queued', 'running', 'done', 'failed')),
  total        integer not null check (total >= 0),
  done         integer not null default 0 check (done >= 0),
  rows         jsonb not null,
  report       jsonb,
  summary      jsonb,
  error        text,
  created_at   timestamptz not null default now(),
  finished_at  timestamptz
);

-- A run that read every mapped item of its account stores when its read began: each item it
-- counted was confirmed then, without writing the item's row (see core/freshness.ts).
alter table sync_runs add column confirmed_at timestamptz;
create index sync_runs_confirmed on sync_runs (account_id, confirmed_at desc) where confirmed_at is not null;

-- The POS answered without a count for an item it had counted before: a run does not confirm it.
-- Written only when that changes, like missing_on_pos.
alter table mappings add column uncounted_since timestamptz;

-- An unmapped item's past sales stay in the ledger as history (they carry account and POS ids).
alter table sales drop constraint sales_ecommerce_id_fkey;

-- PATCH and DELETE of a mapping are journaled; note says what was done.
alter table stock_journal add column note text;
