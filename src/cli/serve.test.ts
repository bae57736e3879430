import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { configFromFlags } from './serve.ts';
import { loadConfig } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';

/**
 * Hole 2 of issue 14: an API without keys listens on loopback only, whichever way the address is
 * set (file, environment, --host). The rule runs once on the address that wins.
 */
const BIN = fileURLToPath(new URL('../../bin/possync.js', import.meta.url));
const OPEN_API = /Server\.ApiKeys must hold at least one key when Server\.Host is not a loopback address \(0\.0\.0\.0 would expose an open API\)/;

describe('an API without keys stays on loopback, however the address is set', () => {
  let dir: string;
  let noKeys: string;
  let withKeys: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'possync-serve-'));
    noKeys = join(dir, 'no-keys.json');
    withKeys = join(dir, 'with-keys.json');
    await writeFile(noKeys, JSON.stringify({ Server: { Host: '127.0.0.1' } }));
    await writeFile(withKeys, JSON.stringify({ Server: { Host: '127.0.0.1', ApiKeys: ['0123456789abcdef0123'] } }));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses a non-loopback Server.Host in the file', async () => {
    const file = join(dir, 'open.json');
    await writeFile(file, JSON.stringify({ Server: { Host: '0.0.0.0' } }));
    await assert.rejects(loadConfig({ file, env: {} }), (error: ConfigError) => error.problems.some((p) => OPEN_API.test(p)));
  });

  it('refuses a non-loopback address from the environment, and says where it came from', async () => {
    await assert.rejects(loadConfig({ file: noKeys, env: { POSSYNC__Server__Host: '0.0.0.0' } }), (error: ConfigError) =>
      error.problems.some((p) => OPEN_API.test(p) && p.includes('set by POSSYNC__Server__Host')),
    );
  });

  it('refuses --host 0.0.0.0 without keys, with the same message', async () => {
    const lines: string[] = [];
    const config = await configFromFlags({ config: noKeys, host: '0.0.0.0' }, (line) => lines.push(line));
    assert.equal(config, null);
    assert.match(lines.join('\n'), OPEN_API);
    assert.match(lines.join('\n'), /set by --host/);
  });

  it('accepts --host 0.0.0.0 when keys are configured, and --port through the same checks', async () => {
    const config = await configFromFlags({ config: withKeys, host: '0.0.0.0', port: '0' }, () => {});
    assert.deepEqual([config?.server.host, config?.server.port], ['0.0.0.0', 0]);
    const lines: string[] = [];
    assert.equal(await configFromFlags({ config: withKeys, port: '99999' }, (line) => lines.push(line)), null);
    assert.match(lines.join('\n'), /Server\.Port must be a whole number from 0 to 65535 \(got "99999"\)/);
  });

  it('`possync serve --host 0.0.0.0` with no keys exits 1 before listening', { timeout: 300_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', noKeys, '--host', '0.0.0.0', '--port', '0', '--data-dir', join(dir, 'data')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 1, output);
    assert.match(output, OPEN_API);
    assert.doesNotMatch(output, /listening/);
  });
});
