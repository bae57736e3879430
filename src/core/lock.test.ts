import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DataFolderInUseError, LOCK_FILE_NAME, lockDataFolder } from './lock.ts';

/**
 * Hole 6 of issue 14: the data-folder lock must not block a restart for good when the stale lock
 * holds our own pid (a restarted container), comes from another host whose holder is gone, or
 * names a pid that now belongs to another process; and it must still never let two live holders in.
 */
const LOCK_TS = new URL('./lock.ts', import.meta.url).href;
const FAST = { heartbeatMs: 50, staleAfterMs: 600 };

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'possync-lock-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function writeLock(dir: string, holder: Record<string, unknown>, ageMs = 0): void {
  const path = join(dir, LOCK_FILE_NAME);
  writeFileSync(path, JSON.stringify({ startedAt: '2026-01-01T00:00:00.000Z', token: 'old', ...holder }));
  const at = new Date(Date.now() - ageMs);
  utimesSync(path, at, at);
}

describe('data folder lock: restarts are never blocked by a holder that is gone', () => {
  test('a lock left by an earlier process with our own pid (a restarted container) is taken over', withDir(async (dir) => {
    writeLock(dir, { pid: process.pid, host: hostname() }, 60_000);
    const notices: string[] = [];
    const lock = await lockDataFolder(dir, { ...FAST, onNotice: (m) => notices.push(m) });
    assert.notEqual(lock.holder.token, 'old');
    assert.match(notices.join('\n'), /has our own pid \(a restarted container\?\) and stopped refreshing its lock/);
    lock.release();
  }));

  test('our own pid with a fresh lock: taken over once its heartbeat has been silent long enough', withDir(async (dir) => {
    writeLock(dir, { pid: process.pid, host: hostname() });
    const notices: string[] = [];
    const lock = await lockDataFolder(dir, { ...FAST, onNotice: (m) => notices.push(m) });
    assert.match(notices[0]!, /waiting up to 1 s to see whether it is still refreshed/);
    lock.release();
  }));

  test('a lock from another host whose heartbeat stopped is taken over; the message names the host', withDir(async (dir) => {
    writeLock(dir, { pid: 1, host: 'elsewhere' });
    const notices: string[] = [];
    const lock = await lockDataFolder(dir, { ...FAST, onNotice: (m) => notices.push(m) });
    assert.match(notices.at(-1)!, /took over a stale lock on .*: possync pid 1 on elsewhere .* is on another host \(elsewhere\) and stopped refreshing its lock/);
    lock.release();
  }));

  test('a pid recycled by another process (its start time differs from the holder’s) is taken over', withDir(async (dir) => {
    const other = spawn('sleep', ['30']);
    try {
      await once(other, 'spawn');
      writeLock(dir, { pid: other.pid, host: hostname(), processStart: '1' }, 60_000);
      const notices: string[] = [];
      const lock = await lockDataFolder(dir, { ...FAST, onNotice: (m) => notices.push(m) });
      assert.match(notices.at(-1)!, /its pid now belongs to another process/);
      lock.release();
    } finally {
      other.kill('SIGKILL');
    }
  }));

  test('a live holder on another host keeps its lock through its heartbeat; the refusal says what to do', withDir(async (dir) => {
    // The child holds the lock and beats every 50 ms; this process plays a second host on the shared folder.
    const source = `import { lockDataFolder } from ${JSON.stringify(LOCK_TS)};
      await lockDataFolder(${JSON.stringify(dir)}, { heartbeatMs: 50 }); console.log('locked');
      process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('locked') && resolve());
        child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      await assert.rejects(lockDataFolder(dir, { ...FAST, host: 'second-host' }), (error: unknown) => {
        assert.ok(error instanceof DataFolderInUseError);
        assert.equal(error.holder?.pid, child.pid);
        assert.match(error.message, /Stop that possync, or start this one with another --data-dir\. If you are sure no possync uses the folder, delete the lock file\./);
        return true;
      });
      assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8')).pid, child.pid, 'the live holder keeps the lock');
    } finally {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    }
    assert.equal(existsSync(join(dir, LOCK_FILE_NAME)), false);
  }));
});
