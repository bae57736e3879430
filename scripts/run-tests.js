#!/usr/bin/env node
// Finds every *.test.ts under src/ and test/ and runs them with Node's own test runner, with the
// typecheck beside them.
// Node 20 has no glob support in `--test`, hence this small walker; `node --test` also sorts its
// files by name, so run-test-files.js runs them in the order given here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const roots = ['src', 'test'];
const filter = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
};
for (const root of roots) {
  try { walk(root); } catch { /* root may not exist yet */ }
}
const chosen = filter.length ? files.filter((f) => filter.some((x) => f.includes(x))) : files;
if (chosen.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// Files run in parallel, each in its own process: none shares a database (PostgreSQL databases,
// MariaDB tables and PGlite folders are random per test), ports are 0. Most of a file's time is
// waiting (on PGlite, servers, child processes), so two per core; POSSYNC_TEST_CONCURRENCY overrides.
const concurrency = Number(process.env.POSSYNC_TEST_CONCURRENCY) || Math.min(4, Math.max(2, availableParallelism() * 2));
// The longest files start first, so the run does not end waiting on one long file while the other
// slots are idle: these (as measured on a 2-core machine), then the other end-to-end files, then
// the rest. three-instances holds up to 70 of PostgreSQL's 100 connections: it starts among PGlite
// files, and the PostgreSQL soak and matrix come once several of those are done.
const SLOWEST = ['sales-embedded', 'three-instances', 'kill-matrix-embedded', 'fault-matrix-embedded', 'sync-embedded', 'multi-source-embedded', 'sales-postgres', 'kill-matrix-postgres', 'onboarding', 'fuzz'];
const rank = (file) => {
  const slow = SLOWEST.findIndex((name) => file.includes(name));
  return slow >= 0 ? slow : SLOWEST.length + (file.startsWith('test') ? 0 : 1);
};
const longestFirst = (a, b) => rank(a) - rank(b) || a.localeCompare(b);
// The typecheck (`tsc`, ~10 s on one core) runs beside the tests rather than before them: a type
// error is printed as soon as tsc reports it, and fails the run when the tests end.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const typecheck = spawn(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: ['ignore', 'pipe', 'pipe'] });
let typeErrors = '';
typecheck.stdout.on('data', (chunk) => (typeErrors += chunk));
typecheck.stderr.on('data', (chunk) => (typeErrors += chunk));
const typechecked = once(typecheck, 'exit').then(([code]) => {
  if (code !== 0) process.stderr.write(`\ntypecheck failed (tsc -p tsconfig.json):\n${typeErrors}\n`);
  return code === 0;
});
const run = async (args, options = {}) => {
  const [code] = await once(spawn(process.execPath, args, { stdio: 'inherit', ...options }), 'exit');
  return code ?? 1;
};
// Tests that are not about the first start open a copy of one migrated PGlite folder
// (test/support/pglite-template.ts): made here once, before the files race to make it.
const template = await run(['--import', 'tsx', fileURLToPath(new URL('../test/support/pglite-template.ts', import.meta.url))]);
if (template !== 0) process.exit(template);
// POSSYNC_TEST_JUNIT=FILE also writes a JUnit report (each test's duration) to FILE; see run-test-files.js.
const tests = await run(
  // --liftoff-only: V8's baseline WebAssembly compiler only, as for the services tests start
  // (TEST_V8_FLAGS in test/support/server-process.ts); the files' processes inherit it.
  ['--liftoff-only', '--import', 'tsx', fileURLToPath(new URL('./run-test-files.js', import.meta.url)), ...chosen.sort(longestFirst)],
  { env: { ...process.env, POSSYNC_TEST_FILES_AT_ONCE: String(concurrency) } },
);
const typesOk = await typechecked;
if (!typesOk) console.error('typecheck failed: see tsc\'s errors above');
process.exit(tests !== 0 ? tests : typesOk ? 0 : 2);
