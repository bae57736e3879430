-- Why a journaled quantity is not what the POS said (a count clamped to what an int holds).
alter table stock_journal add column note text;
