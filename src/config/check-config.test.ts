import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkConfigCommand } from '../cli/check-config.ts';

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await checkConfigCommand(args, (line) => lines.push(line));
  return { code, lines };
}

describe('possync check-config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'possync-check-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints ok, the description and the warnings, and exits 0', async () => {
    const file = join(dir, 'good.json');
    await writeFile(
      file,
      `{
        // comments are fine
        "ecommerceDatabaseConnectionString": "Server=db;Database=shop;Uid=web;Pwd=Tigrou007-long-password;",
        "PosAccess": { "PosConfigurations": [ { "Type": "SQUAREPOS", "AccessToken": "sq0atp-long-secret-token", "LocationID": "L1", "Colour": "red" }, ] },
      }`,
    );
    const { code, lines } = await run(['--config', file]);
    assert.equal(code, 0);
    assert.equal(lines[0], 'ok');
    const text = lines.join('\n');
    assert.match(text, /account "L1" \(Square L1\): Square at https:\/\/connect\.squareup\.com, location L1, access token sq0a…\(masked\)/);
    assert.match(text, /shop database: MySQL\/MariaDB web:\*\*\*@db:3306\/shop/);
    assert.match(text, /^warning: PosAccess\.PosConfigurations\[0\]\.Colour is not a known key/m);
    assert.ok(!text.includes('sq0atp-long-secret-token'));
    assert.ok(!text.includes('Tigrou007'));
  });

  it('lists every problem, one per line by path, and exits 1', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        PosAccess: { PosConfigurations: [{ Type: '3', AccountID: '1', ClientID: 'c', ClientSecret: 'lightspeed-secret-123456', ShopID: 1, EmployeeID: 1 }, { Type: 4 }] },
        Synchronizer: { Cron: '61 * * * *' },
      }),
    );
    const { code, lines } = await run(['--config', file]);
    assert.equal(code, 1);
    assert.match(lines[0]!, /has 4 problems:$/);
    assert.deepEqual(lines.filter((l) => l.startsWith('problem: ')).map((l) => l.split(' ').slice(0, 2).join(' ')), [
      'problem: PosAccess.PosConfigurations[0].RefreshToken',
      'problem: PosAccess.PosConfigurations[0].RegisterID',
      'problem: PosAccess.PosConfigurations[1].Type',
      'problem: Synchronizer.Cron',
    ]);
    assert.ok(!lines.join('\n').includes('lightspeed-secret-123456'));
  });

  it('exits 1 for a missing or unreadable file, 0 for --help', async () => {
    assert.equal((await run(['--config', join(dir, 'missing.json')])).code, 1);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "a": ');
    const { code, lines } = await run(['--config', broken]);
    assert.equal(code, 1);
    assert.match(lines.join('\n'), /not valid JSON: unexpected end of file at line 1/);
    assert.equal((await run(['--help'])).code, 0);
  });
});
