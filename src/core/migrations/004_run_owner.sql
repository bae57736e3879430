-- Which possync instance made each run, so abandoned runs can be told from a live instance's.
alter table sync_runs add column owner text;
