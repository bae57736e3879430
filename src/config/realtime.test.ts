import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeConfig, parseConfig } from './index.ts';
import { problemsOf } from '../../test/support/config.ts';

const lightspeed = {
  Type: '3', AccountID: '123456', ClientID: 'client-1', ClientSecret: 'client-secret-value-1234',
  RefreshToken: 'refresh-token-value-5678', EmployeeID: 1, RegisterID: 2, ShopID: 3,
};
const square = { Type: '1', AccessToken: 'EAAAsquare-token-0123456789', Locations: ['L1'] };
const file = (entries: object[], server: object = {}) => ({ PosAccess: { PosConfigurations: entries }, Server: server });


test('Lightspeed change polls: 15 s by default, 0 = off, the same checks from the file and the environment', () => {
  assert.equal(parseConfig(file([lightspeed])).accounts[0]!.realtime?.changePollSeconds, 15);
  assert.match(describeConfig(parseConfig(file([lightspeed]))).join('\n'), /account "123456".*; change polls every 15 s$/m);
  assert.equal(parseConfig(file([{ ...lightspeed, ChangePollSeconds: 0 }])).accounts[0]!.realtime?.changePollSeconds, null);
  assert.equal(parseConfig(file([lightspeed]), { POSSYNC__PosAccess__PosConfigurations__0__ChangePollSeconds: '30' }).accounts[0]!.realtime?.changePollSeconds, 30);
  for (const bad of [2, -1, 4000, 'often']) {
    const fromFile = problemsOf(() => parseConfig(file([{ ...lightspeed, ChangePollSeconds: bad }])));
    const fromEnv = problemsOf(() => parseConfig(file([lightspeed]), { POSSYNC__PosAccess__PosConfigurations__0__ChangePollSeconds: String(bad) }));
    assert.equal(fromFile.length, 1, `${bad}: ${fromFile}`);
    assert.match(fromFile[0]!, /^PosAccess\.PosConfigurations\[0\]\.ChangePollSeconds /);
    assert.deepEqual(fromEnv, fromFile);
  }
});

test('Square webhook keys: the signature key is a secret; a URL without a key is a problem', () => {
  const config = parseConfig(file([{ ...square, WebhookSignatureKey: 'sq-signature-key-abcdef', WebhookUrl: 'https://sync.example/hook/' }]));
  assert.deepEqual(config.accounts[0]!.realtime?.webhook, { signatureKey: 'sq-signature-key-abcdef', url: 'https://sync.example/hook' });
  const described = describeConfig(config).join('\n');
  assert.doesNotMatch(described, /sq-signature-key-abcdef/);
  assert.match(described, /webhook signature key sq-s…\(masked\) for https:\/\/sync\.example\/hook/);
  assert.deepEqual(problemsOf(() => parseConfig(file([{ ...square, WebhookUrl: 'https://sync.example/hook' }]))), [
    'PosAccess.PosConfigurations[0].WebhookSignatureKey is required when WebhookUrl is set',
  ]);
  assert.equal(parseConfig(file([square])).accounts[0]!.realtime, undefined);
});

test('Server.PublicUrl: an http(s) URL without credentials, query or fragment; trailing slash dropped', () => {
  assert.equal(parseConfig(file([], { PublicUrl: 'https://sync.shop.example/' })).server.publicUrl, 'https://sync.shop.example');
  assert.equal(parseConfig(file([])).server.publicUrl, undefined);
  for (const bad of ['ftp://x.example', 'https://u:p@x.example', 'https://x.example/?k=1', 'not a url']) {
    const problems = problemsOf(() => parseConfig(file([], { PublicUrl: bad })));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^Server\.PublicUrl must be an http/);
  }
});
