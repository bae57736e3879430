import { closeSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * The lock on a PGlite data folder. PGlite itself takes none, and two processes on one folder
 * silently lose writes, so possync refuses to open a folder another live possync holds.
 */
export const LOCK_FILE_NAME = 'possync.lock';

/** A lock file younger than this with unreadable content is a holder still writing it. */
const FRESH_LOCK_MS = 10_000;

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Distinguishes this holder from a later one with a recycled pid. */
  token: string;
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
    super(`the data folder ${dataDir} is in use by ${who}; stop it or use another --data-dir`);
  }
}

export interface DataFolderLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Deletes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

export interface LockOptions {
  /** Told when a stale lock (dead pid) is taken over. */
  onNotice?: (message: string) => void;
}

/** Takes `<dataDir>/possync.lock`, or throws DataFolderInUseError naming the holder. */
export function lockDataFolder(dataDir: string, options: LockOptions = {}): DataFolderLock {
  const path = join(dataDir, LOCK_FILE_NAME);
  const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };

  if (!tryCreate(path, holder)) {
    const existing = readHolder(path);
    if (!isStale(path, existing)) throw new DataFolderInUseError(dataDir, existing);
    takeOver(path, dataDir, existing, holder);
    options.onNotice?.(
      `took over a stale lock on ${dataDir}: possync pid ${existing?.pid ?? '?'} (started ${existing?.startedAt ?? '?'}) is no longer running`,
    );
  }

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Only delete what is still ours: a takeover by someone else must not be undone.
    if (readHolder(path)?.token === holder.token) rmSync(path, { force: true });
  };
  // A crash or SIGKILL skips this; the next start then sees a dead pid and takes the lock over.
  process.on('exit', release);
  return { path, holder, release };
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
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? '?'), token: String(parsed.token ?? '') };
  } catch {
    return null;
  }
}

function isStale(path: string, holder: LockHolder | null): boolean {
  if (!holder) return ageMs(path) > FRESH_LOCK_MS;
  // A pid on another machine (a shared folder) cannot be checked: never steal it.
  if (holder.host !== hostname()) return false;
  return !pidAlive(holder.pid);
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
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
    if (now?.token !== seen?.token || !isStale(path, now)) throw new DataFolderInUseError(dataDir, now);
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
