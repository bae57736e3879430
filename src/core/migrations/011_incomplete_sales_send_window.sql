-- A sale the POS holds part of but refused to finish (Hiboutik: the line added, the close refused;
-- Lightspeed: an open sale under our reference). Its own state, so it is never taken for a sale
-- the POS does not have: it keeps its units reserved and only an operator moves it on.
alter table sales drop constraint sales_state_check;
alter table sales add constraint sales_state_check check (state in ('accepted', 'dispatching', 'posted', 'failed', 'incomplete', 'cancelled'));
drop index sales_reserving;
create index sales_reserving on sales (account_id, ecommerce_id) where state in ('accepted', 'dispatching', 'failed', 'incomplete');

-- Sends to a POS rate-limit key within the last second, shared by the instances on this database
-- (Lightspeed's burst limiter counts an account's requests whichever process sends them). Rows
-- older than the window are deleted by the next booking of the key.
create table pos_sends (
  key      text not null,
  sent_at  timestamptz not null
);
create index pos_sends_key on pos_sends (key, sent_at);
