import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { CoreSql, CoreTx } from './core-sql.ts';
import { LOCK_FILE_NAME, pidAlive } from './lock.ts';

/**
 * Embedded PostgreSQL (PGlite) in a local folder. PGlite's defaults suit a browser tab, not a
 * long-running service: shared_buffers 128MB and a first initialisation that leaves ~700 MB
 * resident. We shrink the buffers and run the first initialisation in a short-lived child process,
 * so the service itself only ever does the cheap re-open (~180 MB measured).
 */

/** PGlite's own start parameters (it replaces them wholesale when given any) plus ours. */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c', 'shared_buffers=16MB',
  '-c', 'work_mem=2MB',
  '-c', 'maintenance_work_mem=16MB',
  '-c', 'temp_buffers=2MB',
];

export interface PgliteOpenOptions {
  /** Run a fresh folder's initdb in a child process (default true); false does it in-process. */
  initInChild?: boolean;
  /** Replaces PGLITE_START_PARAMS. */
  startParams?: readonly string[];
}

/** True when the folder already holds a PostgreSQL cluster. */
export function isInitialised(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * Present while a first initialisation runs (the child writes it first and deletes it last), with
 * the child's pid: a folder that still has it was never fully initialised.
 */
export const INIT_MARKER = 'possync.init';

export interface OpenPgliteNotices {
  onNotice?: (message: string) => void;
}

export async function openPglite(dataDir: string, options: PgliteOpenOptions & OpenPgliteNotices = {}): Promise<PGlite> {
  mkdirSync(dataDir, { recursive: true });
  const startParams = [...(options.startParams ?? PGLITE_START_PARAMS)];
  await settleEarlierInit(dataDir, options.onNotice);
  if (!isInitialised(dataDir) && options.initInChild !== false) await initialiseInChild(dataDir, startParams);
  const pglite = new PGlite({ dataDir, startParams });
  await pglite.waitReady;
  return pglite;
}

// The child only initialises and closes; the parent then opens the folder normally. The memory
// initdb leaves behind dies with the child instead of staying in the service's heap for good.
// It dies with its parent: a SIGKILLed parent closes the stdin pipe, and the child exits (at the
// latest once initdb's synchronous work yields). The marker lets a restart wait for it either way.
const CHILD_SOURCE = `
const [url, dataDir, params, marker] = process.argv.slice(1);
const { writeFileSync, rmSync } = await import('node:fs');
writeFileSync(marker, String(process.pid));
process.stdin.on('close', () => process.exit(70));
process.stdin.resume();
const { PGlite } = await import(url);
const db = new PGlite({ dataDir, startParams: JSON.parse(params) });
await db.waitReady;
await db.close();
rmSync(marker);
process.exit(0);
`;

/**
 * A marker left by an earlier start means its initialisation did not finish: wait until that
 * child has exited (it follows its killed parent), then clear the half-made cluster so this start
 * initialises from scratch. Runs under the folder lock, so no other possync is doing the same.
 */
async function settleEarlierInit(dataDir: string, onNotice?: (message: string) => void): Promise<void> {
  const marker = join(dataDir, INIT_MARKER);
  if (!existsSync(marker)) return;
  const pid = Number(readFileSync(marker, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
    onNotice?.(`waiting for an earlier initialisation of ${dataDir} (pid ${pid}) to stop…`);
    const deadline = Date.now() + 120_000;
    while (pidAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`an earlier initialisation of ${dataDir} (pid ${pid}) is still running after 2 minutes; stop it (kill ${pid}) and start again`);
      await delay(200);
    }
  }
  onNotice?.(`an earlier first start of ${dataDir} was cut short; initialising it again`);
  for (const entry of readdirSync(dataDir)) {
    if (entry !== LOCK_FILE_NAME) rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}


async function initialiseInChild(dataDir: string, startParams: string[]): Promise<void> {
  const url = import.meta.resolve('@electric-sql/pglite');
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD_SOURCE, url, dataDir, JSON.stringify(startParams), join(dataDir, INIT_MARKER)], {
    stdio: ['pipe', 'ignore', 'pipe'],
    // The parent's loader flags (tsx) are not needed for plain JS.
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end();
  if (code !== 0 || !isInitialised(dataDir) || existsSync(join(dataDir, INIT_MARKER))) {
    throw new Error(`could not initialise the PGlite data folder ${dataDir} (exit ${code}): ${stderr.trim() || 'no output'}`);
  }
}

/** The core's SQL surface over one PGlite instance (one connection: statements queue up). */
export function pgliteSql(pglite: PGlite): CoreSql {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await pglite.query<T>(text, params ? [...params] : undefined);
      return { rows: result.rows };
    },
    async exec(script: string) {
      await pglite.exec(script);
    },
    transaction<T>(fn: (tx: CoreTx) => Promise<T>): Promise<T> {
      // Do not call the outer client from inside `fn`: PGlite has one connection, so that waits
      // for this transaction to end, which waits for it: a deadlock.
      return pglite.transaction((tx) => fn(pgliteTx(tx)));
    },
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}

function pgliteTx(tx: Transaction): CoreTx {
  return {
    async query<T>(text: string, params?: readonly unknown[]) {
      const result = await tx.query<T>(text, params ? [...params] : undefined);
      return { rows: result.rows };
    },
    async exec(script: string) {
      await tx.exec(script);
    },
  };
}
