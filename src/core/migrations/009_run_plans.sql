-- Plan, then apply, with a breaker; undo a run (issue 12). A run whose plan would zero or swing
-- many items at once is held: its plan is kept here and nothing is written until an operator
-- applies or discards it. A revert puts back what an applied run replaced and pauses the account.

-- held: waiting for a decision; discarded: an operator dropped it; superseded: a newer held run
-- of the same account replaced it (only the newest held plan can be applied).
alter table sync_runs drop constraint sync_runs_status_check;
alter table sync_runs add constraint sync_runs_status_check
  check (status in ('running', 'ok', 'failed', 'held', 'discarded', 'superseded'));
-- Change polls whose batch trips the breaker are held as runs too.
alter table sync_runs drop constraint sync_runs_trigger_check;
alter table sync_runs add constraint sync_runs_trigger_check
  check (trigger in ('cron', 'forced', 'register', 'webhook', 'boot', 'manual', 'change-poll'));

-- When the run's POS read began (what an applied plan is compared with: a newer read wins).
alter table sync_runs add column read_started_at timestamptz;
-- Why the breaker held it, in words; when and how it was decided.
alter table sync_runs add column held_reason text;
alter table sync_runs add column decided_at timestamptz;
alter table sync_runs add column decision text check (decision in ('applied', 'discarded', 'superseded'));
alter table sync_runs add column superseded_by bigint references sync_runs (id);
-- Set once the run's changes were put back.
alter table sync_runs add column reverted_at timestamptz;
create index sync_runs_held on sync_runs (account_id, id desc) where status = 'held';

-- A held run's plan: one row per item it would change (count, missing flag or lost count),
-- never one per item read: a poll in which nothing changed writes no row here.
create table run_plan_items (
  run_id          bigint not null references sync_runs (id),
  ecommerce_id    text not null,
  pos_item_id     text not null,
  kind            text not null check (kind in ('count', 'missing', 'uncounted')),
  before          integer,
  after           integer,
  on_hand_before  integer,
  on_hand_after   integer,
  note            text,
  primary key (run_id, ecommerce_id)
);

alter table stock_journal drop constraint stock_journal_cause_check;
alter table stock_journal add constraint stock_journal_cause_check
  check (cause in ('poll', 'sale', 'webhook', 'manual', 'register', 'revert'));

-- An account whose polls (and webhook / change-poll updates) wait for an operator: set by a
-- revert, so the next poll does not re-apply what was undone; cleared by a resume.
create table account_pauses (
  account_id  text primary key references accounts (id),
  reason      text not null,
  run_id      bigint references sync_runs (id),
  paused_at   timestamptz not null default now()
);
