import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCore } from '../../src/core/open.ts';
import { LOCK_FILE_NAME } from '../../src/core/lock.ts';
import { PGLITE_START_PARAMS } from '../../src/core/pglite.ts';

/**
 * A new PGlite folder costs about 5 s of CPU (initdb in WebAssembly, then the migrations), and the
 * suite used to make one per test: the biggest single cost of `npm test`. Tests that are not about
 * the first start get a copy of one folder that possync's own `openCore` initialised and migrated,
 * made once per machine and migration set, so they start as a restarted possync does. The first
 * start itself stays tested from nothing (src/core/open.test.ts, first-start-kill.test.ts, the demo
 * and docs tests).
 */

const MIGRATIONS = fileURLToPath(new URL('../../src/core/migrations/', import.meta.url));
const PGLITE_PACKAGE = fileURLToPath(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url));

/** Changes whenever what the folder would hold changes: the migrations, PGlite's version, its start parameters. */
function templateKey(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS).sort()) hash.update(name).update(readFileSync(join(MIGRATIONS, name)));
  hash.update(readFileSync(PGLITE_PACKAGE)).update(JSON.stringify(PGLITE_START_PARAMS));
  return hash.digest('hex').slice(0, 16);
}

let ready: Promise<string> | undefined;

/** The template folder's path, made now if this machine has none for this migration set. */
export function pgliteTemplate(): Promise<string> {
  ready ??= (async () => {
    const path = join(tmpdir(), `possync-test-pglite-${templateKey()}`);
    if (existsSync(join(path, 'PG_VERSION'))) return path;
    // Built aside and renamed into place: a concurrent builder's rename loses, and nobody ever copies a half-made folder.
    const building = mkdtempSync(`${path}.building-`);
    try {
      const core = await openCore({ kind: 'pglite', dataDir: building });
      await core.close();
      rmSync(join(building, LOCK_FILE_NAME), { force: true });
      try {
        renameSync(building, path);
      } catch (error) {
        if (!existsSync(join(path, 'PG_VERSION'))) throw error;
      }
    } finally {
      rmSync(building, { recursive: true, force: true });
    }
    return path;
  })();
  return ready;
}

/** A temporary possync data folder holding an initialised, migrated, empty core. */
export async function migratedPgliteDir(prefix = 'possync-core-'): Promise<{ path: string; remove(): void }> {
  const template = await pgliteTemplate();
  const path = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, path, { recursive: true });
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// `node --import tsx test/support/pglite-template.ts`: scripts/run-tests.js makes the template once
// before the files start, instead of several files racing to make it.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const path = await pgliteTemplate();
  console.log(`PGlite template ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${path}`);
}
