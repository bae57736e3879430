#!/usr/bin/env node
// Finds every *.test.ts under src/ and test/ and runs them with Node's own test runner.
// Node 20 has no glob support in `--test`, hence this small walker.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

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
// The end-to-end files are the longest: started first, they do not leave the run waiting on one
// long file at the end while the other slots are idle.
const longestFirst = (a, b) => Number(b.startsWith('test')) - Number(a.startsWith('test')) || a.localeCompare(b);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...chosen.sort(longestFirst)],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
