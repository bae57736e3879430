import type pg from 'pg';

/**
 * Per-account locks that hold for as long as a piece of work runs (DESIGN §7: pg-boss's one
 * active job per key is not mutual exclusion). On PostgreSQL a session advisory lock on a
 * connection of its own, from the lock pool (never the query pool: a holder still runs queries,
 * see openLockPool): every instance sharing the database sees it, and it dies with the
 * connection, so a killed instance's locks are free again as soon as the server notices (at once
 * for a SIGKILL: the kernel closes the socket). On PGlite, one process owns the database, so an
 * in-process lock is the whole story.
 */
/** poll: one poll per account; token: one OAuth refresh per account. */
export type LockScope = 'poll' | 'token';

export interface AccountLocks {
  /** Runs `fn` holding the account's lock, waiting for it first. */
  withLock<T>(scope: LockScope, accountId: string, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` holding the lock if it is free now; undefined (fn not run) when someone holds it. */
  ifFree<T>(scope: LockScope, accountId: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
}

const LOCK = 'select pg_advisory_lock(hashtext($1), hashtext($2))';
const TRY_LOCK = 'select pg_try_advisory_lock(hashtext($1), hashtext($2)) as ok';
const UNLOCK = 'select pg_advisory_unlock(hashtext($1), hashtext($2))';

export function postgresAccountLocks(pool: pg.Pool): AccountLocks {
  async function hold<T>(scope: LockScope, accountId: string, wait: boolean, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const key = [`possync.${scope}`, accountId];
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      let got: boolean;
      try {
        got = wait ? (await client.query(LOCK, key), true) : Boolean((await client.query<{ ok: boolean }>(TRY_LOCK, key)).rows[0]?.ok);
      } catch (error) {
        broken = error as Error;
        throw error;
      }
      if (!got) return { ran: false };
      try {
        return { ran: true, value: await fn() };
      } finally {
        // A connection that cannot unlock is dropped: closing it is what frees the lock then.
        await client.query(UNLOCK, key).catch((error: Error) => (broken = error));
      }
    } finally {
      client.release(broken);
    }
  }
  return {
    async withLock(scope, accountId, fn) {
      const result = await hold(scope, accountId, true, fn);
      if (!result.ran) throw new Error('unreachable: a waiting lock always runs');
      return result.value;
    },
    ifFree: (scope, accountId, fn) => hold(scope, accountId, false, fn),
  };
}

export function localAccountLocks(): AccountLocks {
  const tails = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  async function run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    tails.set(key, mine);
    await previous.catch(() => {});
    held.add(key);
    try {
      return await fn();
    } finally {
      held.delete(key);
      if (tails.get(key) === mine) tails.delete(key);
      done();
    }
  }
  return {
    withLock: (scope, accountId, fn) => run(`${scope}:${accountId}`, fn),
    async ifFree(scope, accountId, fn) {
      const key = `${scope}:${accountId}`;
      if (held.has(key) || tails.has(key)) return { ran: false };
      return { ran: true, value: await run(key, fn) };
    },
  };
}
