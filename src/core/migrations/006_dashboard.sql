-- The dashboard: what an operator did there, and the indexes its pages need to stay fast with
-- 100,000 items, 1,000,000 journal rows and many sales and runs (24-hour charts read by time).

create table dashboard_actions (
  id      bigserial primary key,
  at      timestamptz not null default now(),
  action  text not null,             -- requeue, delete, trigger, cron, pause, resume, retry-sale, cancel-sale
  target  text not null,             -- the job, account, schedule or sale acted on
  detail  text not null default '',
  reason  text not null,             -- always says where it came from ("from the dashboard")
  actor   text not null              -- "loopback" or "session …" (never a key)
);

create index stock_journal_at on stock_journal (at);
create index sync_runs_started on sync_runs (started_at);
create index sales_created on sales (created_at);
create index sales_posted_at on sales (posted_at) where state = 'posted';
-- Items searched by name (prefix, case-insensitive) on the Items page.
create index mappings_description_lower on mappings (lower(description) text_pattern_ops);
-- Items found by their POS id, and an item's sales (its page, its reserved units).
create index mappings_pos_item on mappings (pos_item_id);
create index sales_item on sales (ecommerce_id, seq);
