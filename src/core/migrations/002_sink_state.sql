-- What the shop's table was last set to for each item. A poll commits the core first and the
-- sink after; when the sink is down, available and sink_quantity differ until a later flush
-- catches up, so a sink outage delays writes and loses none.
alter table mappings add column sink_quantity integer;
create index mappings_sink_pending on mappings (account_id)
  where available is not null and available is distinct from sink_quantity;
