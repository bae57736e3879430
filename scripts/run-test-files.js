// Runs the given test files, in the given order, through node:test's run(): unlike `node --test`,
// which sorts its files by name, so the slowest could not be started first.
// Started by scripts/run-tests.js with `--import tsx`, which the files' processes inherit.
import { createWriteStream } from 'node:fs';
import { run } from 'node:test';
import { junit, spec } from 'node:test/reporters';

const files = process.argv.slice(2);
const concurrency = Number(process.env.POSSYNC_TEST_FILES_AT_ONCE) || 2;
const stream = run({ files, concurrency });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
if (process.env.POSSYNC_TEST_JUNIT) stream.compose(junit).pipe(createWriteStream(process.env.POSSYNC_TEST_JUNIT));
