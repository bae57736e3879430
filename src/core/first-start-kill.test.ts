import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCore } from './open.ts';
import { INIT_MARKER } from './pglite.ts';
import { pidAlive } from './lock.ts';
import { waitUntil } from '../../test/support/wait.ts';

/**
 * Hole 7 of issue 14: kill -9 during the first start of a new data folder used to leave the
 * initialising child running, and the restart began a second initialisation of the same folder.
 * Now the child dies with its parent, and the restart waits for it and starts the folder afresh.
 */
const OPEN_TS = new URL('./open.ts', import.meta.url).href;

test('kill -9 during the first start: the initialising child dies with its parent; the restart initialises afresh', { timeout: 180_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'possync-first-start-'));
  try {
    const source = `import { openCore } from ${JSON.stringify(OPEN_TS)};
      await openCore({ kind: 'pglite', dataDir: ${JSON.stringify(dataDir)} }); console.log('opened');`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
    const marker = join(dataDir, INIT_MARKER);
    await waitUntil('the initialising child to start', () => existsSync(marker) && readFileSync(marker, 'utf8').length > 0);
    const initPid = Number(readFileSync(marker, 'utf8'));
    assert.ok(pidAlive(initPid), 'the child is initialising');

    const exited = once(parent, 'exit');
    parent.kill('SIGKILL');
    await exited;

    // The restart, at once: it must not initialise beside the orphan.
    const notices: string[] = [];
    const core = await openCore({ kind: 'pglite', dataDir }, { onNotice: (m) => notices.push(m) });
    try {
      assert.equal(pidAlive(initPid), false, 'the orphaned child is gone');
      assert.ok(notices.some((n) => /an earlier first start of .* was cut short; initialising it again/.test(n)), notices.join('\n'));
      assert.equal(existsSync(marker), false, 'this initialisation finished');
      await core.sql.query('create table t (n int)');
      await core.sql.query('insert into t values (1)');
      assert.deepEqual((await core.sql.query('select n from t')).rows, [{ n: 1 }]);
    } finally {
      await core.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
