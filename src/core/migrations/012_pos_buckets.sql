-- A POS leaky bucket's level as booked by every instance on this database (Lightspeed's bucket is
-- the account's, whichever process calls): the level at `at`, drained at the drip rate since, and
-- the size and drip it was booked against (the server's once any instance has had an answer), for
-- instances that have had no answer yet.
create table pos_buckets (
  key    text primary key,
  level  double precision not null,
  at     timestamptz not null,
  size   double precision not null,
  drip   double precision not null
);
