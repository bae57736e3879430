-- One dispatcher per account, enforced by the database (DESIGN §4 rule 7, issue 14 hole 1).
-- pg-boss retries a job that outlives its expiry while the first handler still runs; the lease
-- makes the second dispatcher stand aside. `token` grows by one at every take-over: the sale
-- writes a dispatcher makes carry its token, so one whose lease was taken over cannot write.
create table dispatch_leases (
  account_id  text primary key,
  token       bigint not null,
  holder      text not null,
  expires_at  timestamptz not null
);
