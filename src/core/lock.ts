import { closeSync, openSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The lock on a PGlite data folder. PGlite itself takes none, and two processes on one folder
 * silently lose writes, so possync refuses to open a folder another live possync holds.
 *
 * A lock is taken over only on evidence that its holder is gone:
 * - same host: its pid is dead; or alive but started at another time than the holder recorded
 *   (a recycled pid); or the machine rebooted since (another boot id);
 * - the holder's pid is our own pid (a container restarted: pid 1 again), or it is on another
 *   host (a shared volume, where its pid means nothing here): the pid proves nothing, so the
 *   holder's heartbeat decides. A live holder touches the file every HEARTBEAT_MS; a file left
 *   untouched for STALE_AFTER_MS is taken over, one still being touched never is. Waiting for that
 *   costs a restart up to STALE_AFTER_MS, and is what keeps two live processes (two containers
 *   with one hostname, or two hosts) off one folder.
 */
export const LOCK_FILE_NAME = 'possync.lock';

/** A lock file younger than this with unreadable content is a holder still writing it. */
const FRESH_LOCK_MS = 10_000;
export const HEARTBEAT_MS = 5_000;
export const STALE_AFTER_MS = 3 * HEARTBEAT_MS;

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Distinguishes this holder from a later one with a recycled pid (and names it in messages). */
  token: string;
  /** Linux: the kernel's boot id and the holder's start time in clock ticks since boot (/proc). */
  bootId?: string;
  processStart?: string;
}

export class DataFolderInUseError extends Error {
  override readonly name = 'DataFolderInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder
      ? `possync (pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, started ${holder.startedAt})`
      : 'another possync that is starting';
    super(
      `the data folder ${dataDir} is in use by ${who}, which is still running (its lock file ${join(dataDir, LOCK_FILE_NAME)} is kept fresh). ` +
        `Stop that possync, or start this one with another --data-dir. If you are sure no possync uses the folder, delete the lock file.`,
    );
  }
}

export interface DataFolderLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Deletes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

export interface LockOptions {
  /** Told when a stale lock is taken over, and when start-up waits to tell. */
  onNotice?: (message: string) => void;
  /** Test seams (defaults: HEARTBEAT_MS, STALE_AFTER_MS, os.hostname()). */
  heartbeatMs?: number;
  staleAfterMs?: number;
  host?: string;
}

/** Tokens of the locks this process holds: a lock with our pid and one of these is really ours. */
const heldHere = new Set<string>();

/** Takes `<dataDir>/possync.lock`, or throws DataFolderInUseError naming the holder. */
export async function lockDataFolder(dataDir: string, options: LockOptions = {}): Promise<DataFolderLock> {
  const path = join(dataDir, LOCK_FILE_NAME);
  const host = options.host ?? hostname();
  const timing = { heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS, staleAfterMs: options.staleAfterMs ?? STALE_AFTER_MS };
  const holder: LockHolder = {
    pid: process.pid,
    host,
    startedAt: new Date().toISOString(),
    token: randomUUID(),
    ...linuxIdentity(process.pid),
  };

  if (!tryCreate(path, holder)) {
    const existing = readHolder(path);
    const verdict = await judge(path, existing, host, timing, options.onNotice);
    if (verdict.alive) throw new DataFolderInUseError(dataDir, existing);
    takeOver(path, dataDir, existing, holder);
    options.onNotice?.(`took over a stale lock on ${dataDir}: possync pid ${existing?.pid ?? '?'}${existing && existing.host !== host ? ` on ${existing.host}` : ''} (started ${existing?.startedAt ?? '?'}) ${verdict.why}`);
  }
  heldHere.add(holder.token);

  // The heartbeat: a live holder keeps the file's time fresh (see the rules above).
  const beat = setInterval(() => {
    try {
      if (readHolder(path)?.token === holder.token) utimesSync(path, new Date(), new Date());
    } catch {
      // A missing file or a full disk: the next beat tries again.
    }
  }, timing.heartbeatMs);
  beat.unref();

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    clearInterval(beat);
    heldHere.delete(holder.token);
    process.off('exit', release);
    // Only delete what is still ours: a takeover by someone else must not be undone.
    if (readHolder(path)?.token === holder.token) rmSync(path, { force: true });
  };
  // A crash or SIGKILL skips this; the next start then finds the holder gone and takes the lock over.
  process.on('exit', release);
  return { path, holder, release };
}

type Verdict = { alive: true } | { alive: false; why: string };

async function judge(
  path: string,
  holder: LockHolder | null,
  host: string,
  timing: { heartbeatMs: number; staleAfterMs: number },
  onNotice?: (message: string) => void,
): Promise<Verdict> {
  if (!holder) return ageMs(path) > FRESH_LOCK_MS ? { alive: false, why: 'left an unreadable lock file' } : { alive: true };
  if (holder.host === host && holder.pid !== process.pid) {
    const here = linuxIdentity(holder.pid);
    if (holder.bootId && here.bootId && holder.bootId !== here.bootId) return { alive: false, why: 'ran before the machine restarted' };
    if (!pidAlive(holder.pid)) return { alive: false, why: 'is no longer running' };
    if (holder.processStart && here.processStart && holder.processStart !== here.processStart) {
      return { alive: false, why: 'is no longer running (its pid now belongs to another process)' };
    }
    return { alive: true };
  }
  if (holder.host === host && heldHere.has(holder.token)) return { alive: true };
  // Our own pid (a restarted container) or another host: only the heartbeat can tell.
  const where = holder.host === host ? 'has our own pid (a restarted container?)' : `is on another host (${holder.host})`;
  const seen = mtimeMs(path);
  // Same host, same clock: a file untouched for long enough is stale at once.
  if (holder.host === host && Date.now() - seen > timing.staleAfterMs) return { alive: false, why: `${where} and stopped refreshing its lock` };
  onNotice?.(`the lock on this data folder ${where}; waiting up to ${Math.ceil(timing.staleAfterMs / 1000)} s to see whether it is still refreshed…`);
  const deadline = Date.now() + timing.staleAfterMs;
  while (Date.now() < deadline) {
    await delay(Math.min(250, timing.heartbeatMs));
    const now = readHolder(path);
    if (now?.token !== holder.token) return { alive: true }; // released or taken by someone else meanwhile: look again next start
    if (mtimeMs(path) !== seen) return { alive: true };
  }
  return { alive: false, why: `${where} and stopped refreshing its lock` };
}

/** Creates the lock file atomically; false when it already exists. */
function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readHolder(path: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return {
      pid: parsed.pid,
      host: parsed.host,
      startedAt: String(parsed.startedAt ?? '?'),
      token: String(parsed.token ?? ''),
      ...(typeof parsed.bootId === 'string' ? { bootId: parsed.bootId } : {}),
      ...(typeof parsed.processStart === 'string' ? { processStart: parsed.processStart } : {}),
    };
  } catch {
    return null;
  }
}

/** Boot id and a process's start time, where /proc has them (Linux); empty elsewhere. */
function linuxIdentity(pid: number): { bootId?: string; processStart?: string } {
  const out: { bootId?: string; processStart?: string } = {};
  try {
    out.bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // not Linux
  }
  try {
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    if (start) out.processStart = start;
  } catch {
    // no such process, or no /proc
  }
  return out;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function ageMs(path: string): number {
  const mtime = mtimeMs(path);
  return mtime === 0 ? Number.POSITIVE_INFINITY : Date.now() - mtime;
}

/**
 * Replaces a stale lock. A guard file makes the check-delete-create one step, so two processes
 * taking over the same stale lock cannot both win.
 */
function takeOver(path: string, dataDir: string, seen: LockHolder | null, holder: LockHolder): void {
  const guard = `${path}.takeover`;
  if (ageMs(guard) > FRESH_LOCK_MS) rmSync(guard, { force: true });
  if (!tryCreate(guard, holder)) throw new DataFolderInUseError(dataDir, null);
  try {
    const now = readHolder(path);
    // Whoever we judged must still be the holder; anything else changed under us.
    if (now?.token !== seen?.token || (now === null && seen !== null)) throw new DataFolderInUseError(dataDir, now);
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!tryCreate(path, holder)) throw new DataFolderInUseError(dataDir, readHolder(path));
  } finally {
    rmSync(guard, { force: true });
  }
}
