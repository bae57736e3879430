import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './cli.ts';

/** Writes to stderr are captured so the test can read what the user would see. */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('an unknown command, an Object property name included, is refused with the usage and exit code 2', async () => {
  for (const name of ['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    const { code, stderr } = await run([name]);
    assert.equal(code, 2, name);
    assert.match(stderr, new RegExp(`unknown command "${name}"`), name);
    assert.match(stderr, /Usage: possync <command>/, name);
  }
});
