import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { collectingLogger, createLogger, parseLogLevel } from './log.ts';

test('the logger itself scrubs configured secrets and credential-looking texts from every line', () => {
  const lines: string[] = [];
  const secrets = ['sq0atp-very-secret-token', 'p"ss\\word-123', 'hunter2-db-password'];
  const log = collectingLogger((_e, line) => lines.push(line), { secrets });
  log.info(`POS said: token sq0atp-very-secret-token is invalid`);
  log.warn({ detail: { nested: 'p"ss\\word-123 leaked' } }, 'nested');
  log.error({ err: new Error('connect to mysql://shop:hunter2-db-password@db failed') }, 'failed');
  log.info({ accessToken: 'not-in-config-but-a-field', headers: { authorization: 'Bearer abc.def' } }, 'fields by path');
  log.info('Authorization: Bearer eyJhbGciOi.payload.sig and password=whatever;');
  const all = lines.join('\n');
  for (const secret of secrets) assert.ok(!all.includes(secret) && !all.includes(JSON.stringify(secret).slice(1, -1)), secret);
  assert.doesNotMatch(all, /not-in-config-but-a-field|abc\.def|eyJhbGciOi|whatever/);
  assert.equal(lines.length, 5);
  assert.match(lines[0]!, /\[secret\] is invalid/);
});

test('levels: ASP.NET names map onto pino; lines below the level are dropped', () => {
  assert.equal(parseLogLevel('Information'), 'info');
  assert.equal(parseLogLevel('Warning'), 'warn');
  assert.equal(parseLogLevel('critical'), 'fatal');
  assert.equal(parseLogLevel('None'), 'silent');
  assert.equal(parseLogLevel('loud'), undefined);
  const lines: string[] = [];
  const log = collectingLogger((_e, line) => lines.push(line), { level: 'warn' });
  log.info('dropped');
  log.warn('kept');
  assert.deepEqual(lines.map((l) => JSON.parse(l).msg), ['kept']);
});

test('pretty mode writes readable lines, still scrubbed', () => {
  let out = '';
  const destination = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
  const log = createLogger({ pretty: true, destination, secrets: ['secret-value-42'] });
  log.info({ accountId: 'A1' }, 'poll finished with secret-value-42');
  log.flush();
  assert.match(out, /INFO.*poll finished with \[secret\]/);
  assert.match(out, /accountId: "A1"/);
  assert.doesNotMatch(out, /^\{/);
});
