import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { PgBoss } from 'pg-boss';
import { openCore } from './open.ts';
import { loadMigrations, migrate } from './migrations.ts';

const ALL = loadMigrations();
const VERSIONS = ALL.map((m) => m.version);
const LATEST = Math.max(...VERSIONS);
import { DataFolderInUseError, LOCK_FILE_NAME, lockDataFolder } from './lock.ts';
import { DbTokenStore } from './token-store.ts';
import { forEachBackend, openTestCore, createTestDatabase, tempDir, type TestCore } from '../../test/support/core.ts';
import { waitUntil } from '../../test/support/wait.ts';

const OPEN_TS = new URL('./open.ts', import.meta.url).href;
const LOCK_TS = new URL('./lock.ts', import.meta.url).href;

forEachBackend('core database', (current, backend) => {
  test('migrations are recorded and running them again changes nothing', async () => {
    const { core } = current();
    assert.deepEqual(core.migrations, { applied: VERSIONS, version: LATEST });
    assert.deepEqual(await migrate(core.sql), { applied: [], version: LATEST });
    const { rows } = await core.sql.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');
    assert.deepEqual(rows, ALL.map((m) => ({ version: m.version, name: m.name })));
    assert.equal(rows[0]?.name, 'core');
  });

  test('a transaction that throws leaves nothing behind', async () => {
    const { core } = current();
    await assert.rejects(
      core.sql.transaction(async (tx) => {
        await tx.query(`insert into settings (key, value) values ('tx.rollback', '1')`);
        throw new Error('boom');
      }),
      /boom/,
    );
    const { rows } = await core.sql.query(`select 1 from settings where key = 'tx.rollback'`);
    assert.equal(rows.length, 0);
    await core.sql.transaction((tx) => tx.query(`insert into settings (key, value) values ('tx.commit', '1')`));
    assert.equal((await core.sql.query(`select 1 from settings where key = 'tx.commit'`)).rows.length, 1);
  });

  test('describe() names the place but never a password', async () => {
    const { core, config } = current();
    const text = core.describe();
    if (config.kind === 'pglite') assert.match(text, new RegExp(config.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    else assert.match(text, /^PostgreSQL postgresql:\/\/postgres@127\.0\.0\.1:\d+\/possync_core_/);
  });

  test('a pg-boss job sent inside a core transaction commits and rolls back with it', async () => {
    const { core } = current();
    const boss = new PgBoss({ ...core.pgBossOptions(), schedule: false, supervise: false });
    boss.on('error', () => {});
    await boss.start();
    try {
      await boss.createQueue('core-test');
      await assert.rejects(
        core.sql.transaction(async (tx) => {
          await tx.query(`insert into settings (key, value) values ('job.rollback', 'true')`);
          await boss.send('core-test', { n: 1 }, { db: core.jobDb(tx) });
          throw new Error('abort');
        }),
        /abort/,
      );
      const kept = await core.sql.transaction(async (tx) => {
        await tx.query(`insert into settings (key, value) values ('job.commit', 'true')`);
        return boss.send('core-test', { n: 2 }, { db: core.jobDb(tx) });
      });
      assert.ok(kept);
      const { rows } = await core.sql.query<{ data: { n: number } }>(`select data from pgboss.job where name = 'core-test'`);
      assert.deepEqual(rows.map((row) => row.data.n), [2]);
      assert.equal((await core.sql.query(`select 1 from settings where key = 'job.rollback'`)).rows.length, 0);
      const job = await boss.getJobById('core-test', kept);
      assert.deepEqual(job?.data, { n: 2 });
    } finally {
      await boss.stop({ graceful: false, close: backend === 'postgres' });
    }
  });
}, {}, { fromNothing: true });

describe('token store', () => {
  for (const backend of ['pglite', 'postgres'] as const) {
    test(`tokens survive closing and reopening the core [${backend}]`, async () => {
      const opened = await openTestCore(backend);
      try {
        await new DbTokenStore(opened.core.sql, opened.core.locks).save('ls-1', { accessToken: 'a1', refreshToken: 'r1', expiresAt: 1_800_000_000_123 });
        await new DbTokenStore(opened.core.sql, opened.core.locks).save('ls-1', { accessToken: 'a2', refreshToken: 'r2', expiresAt: 1_800_000_000_456 });
        await opened.core.close();
        const again = await openCore(opened.config);
        try {
          const store = new DbTokenStore(again.sql, again.locks);
          assert.deepEqual(await store.load('ls-1'), { accessToken: 'a2', refreshToken: 'r2', expiresAt: 1_800_000_000_456 });
          assert.equal(await store.load('other'), null);
        } finally {
          await again.close();
        }
      } finally {
        await opened.dispose();
      }
    });
  }
});

describe('PGlite data folder lock', () => {
  let opened: TestCore;
  let dataDir: string;
  before(async () => {
    opened = await openTestCore('pglite');
    dataDir = opened.config.kind === 'pglite' ? opened.config.dataDir : '';
  });
  after(() => opened.dispose());

  test('the lock file names this process', () => {
    const holder = JSON.parse(readFileSync(join(dataDir, LOCK_FILE_NAME), 'utf8'));
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.host, hostname());
    assert.ok(!Number.isNaN(Date.parse(holder.startedAt)));
  });

  test('a second open of the same folder in this process fails clearly', async () => {
    await assert.rejects(openCore({ kind: 'pglite', dataDir }), (error: unknown) => {
      assert.ok(error instanceof DataFolderInUseError);
      assert.equal(
        error.message,
        `the data folder ${dataDir} is in use by possync (pid ${process.pid}, started ${error.holder?.startedAt}), which is still running ` +
          `(its lock file ${join(dataDir, LOCK_FILE_NAME)} is kept fresh). Stop that possync, or start this one with another --data-dir. ` +
          'If you are sure no possync uses the folder, delete the lock file.',
      );
      return true;
    });
  });

  test('another process opening the folder fails with the same message', async () => {
    const source = `import { openCore } from ${JSON.stringify(OPEN_TS)};
      try { await openCore({ kind: 'pglite', dataDir: ${JSON.stringify(dataDir)} }); process.exit(0); }
      catch (error) { console.error(error.message); process.exit(3); }`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 3, child.stderr);
    assert.match(child.stderr, new RegExp(`the data folder .* is in use by possync \\(pid ${process.pid}, started .*\\), which is still running .* Stop that possync, or start this one with another --data-dir`));
  });

  test('a lock held by a live child process blocks; once it exits normally the lock is gone', async () => {
    const dir = tempDir();
    try {
      // The child takes the lock, says so, and holds it until its stdin closes.
      const source = `import { lockDataFolder } from ${JSON.stringify(LOCK_TS)};
        await lockDataFolder(${JSON.stringify(dir.path)}); console.log('locked');
        process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk) => (out += chunk));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await waitUntil('the child to take the lock', () => out.includes('locked'));
      await assert.rejects(lockDataFolder(dir.path), (error: unknown) => error instanceof DataFolderInUseError && error.holder?.pid === child.pid);
      child.stdin.end();
      await exited;
      assert.equal(existsSync(join(dir.path, LOCK_FILE_NAME)), false, 'released on exit');
      (await lockDataFolder(dir.path)).release();
    } finally {
      dir.remove();
    }
  });

  test('a stale lock (its pid is dead) is taken over with a notice', async () => {
    const dir = tempDir();
    try {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      writeFileSync(join(dir.path, LOCK_FILE_NAME), JSON.stringify({ pid: dead, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', token: 'x' }));
      const notices: string[] = [];
      const lock = await lockDataFolder(dir.path, { onNotice: (message) => notices.push(message) });
      assert.equal(lock.holder.pid, process.pid);
      assert.equal(notices.length, 1);
      assert.match(notices[0]!, new RegExp(`took over a stale lock on .*: possync pid ${dead} \\(started 2026-01-01T00:00:00.000Z\\) is no longer running`));
      lock.release();
      assert.equal(existsSync(join(dir.path, LOCK_FILE_NAME)), false);
    } finally {
      dir.remove();
    }
  });
});

describe('PostgreSQL specifics', () => {
  test('instances starting together migrate once', async () => {
    const db = await createTestDatabase();
    try {
      const cores = await Promise.all([1, 2, 3].map(() => openCore({ kind: 'postgres', connectionString: db.connectionString })));
      try {
        // Which instance won the migration lock is up to timing: the outcome is what counts.
        const applied = cores.flatMap((core) => core.migrations.applied).sort((a, b) => a - b);
        assert.deepEqual(applied, VERSIONS, 'each migration applied once, by whichever instance');
        assert.deepEqual(cores.map((core) => core.migrations.version), [LATEST, LATEST, LATEST], 'every instance ends on the latest schema');
      } finally {
        await Promise.all(cores.map((core) => core.close()));
      }
    } finally {
      await db.drop();
    }
  });

  test('an unreachable server is named without its password', async () => {
    await assert.rejects(openCore({ kind: 'postgres', connectionString: 'postgresql://shop:s3cr3t-pw@127.0.0.1:1/shopdb' }), (error: unknown) => {
      const message = (error as Error).message;
      assert.match(message, /^cannot reach the core database postgresql:\/\/shop@127\.0\.0\.1:1\/shopdb: /);
      assert.doesNotMatch(message, /s3cr3t/);
      return true;
    });
  });
});
