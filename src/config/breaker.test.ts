import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeConfig, parseConfig } from './index.ts';
import { DEFAULT_BREAKER } from './breaker.ts';
import { problemsOf } from '../../test/support/config.ts';

const square = { Type: '1', AccessToken: 'EAAAsquare-token-0123456789', Locations: ['L1'] };

describe('Breaker thresholds (issue 12)', () => {
  it('default to 20 %, 50 items, 50 %, from 10 items, over 10 minutes', () => {
    const config = parseConfig({ PosAccess: { PosConfigurations: [square] } });
    assert.deepEqual(config.breaker, DEFAULT_BREAKER);
    assert.deepEqual(DEFAULT_BREAKER, { maxZeroedShare: 0.2, maxZeroed: 50, maxDropShare: 0.5, minItems: 10, windowMinutes: 10 });
    assert.equal(config.accounts[0]!.breaker, undefined, 'no section: the engine uses the defaults');
  });

  it('are read globally, overridden per account key by key, and shown by check-config', () => {
    const config = parseConfig({
      Breaker: { MaxZeroedShare: 0.3, MaxZeroed: 20 },
      PosAccess: { PosConfigurations: [{ ...square, Breaker: { MaxDropShare: '75%' } }, { ...square, Locations: ['L2'], Id: 'second' }] },
    });
    assert.deepEqual(config.accounts[0]!.breaker, { ...DEFAULT_BREAKER, maxZeroedShare: 0.3, maxZeroed: 20, maxDropShare: 0.75 });
    assert.deepEqual(config.accounts[1]!.breaker, { ...DEFAULT_BREAKER, maxZeroedShare: 0.3, maxZeroed: 20 });
    const text = describeConfig(config).join('\n');
    assert.match(text, /^breaker: hold a run that would zero or lose more than 30 % of the counted items \(from 10 items\) or more than 20/m);
    assert.match(text, /^ {4}breaker: .*drop the total available by more than 75 %/m);
  });

  it('take the same checks from the file and from the environment', () => {
    const fromFile = problemsOf(() => parseConfig({ Breaker: { MaxZeroedShare: 1.5, MaxZeroed: -1, WindowMinutes: 0, Colour: 1 } }));
    assert.ok(fromFile.some((p) => /^Breaker\.MaxZeroedShare must be a share from 0 to 1/.test(p)), fromFile.join('\n'));
    assert.ok(fromFile.some((p) => /^Breaker\.MaxZeroed must be a whole number of at least 0/.test(p)));
    assert.ok(fromFile.some((p) => /^Breaker\.WindowMinutes must be a whole number from 1 to 1440/.test(p)));
    const fromEnv = problemsOf(() => parseConfig({ PosAccess: { PosConfigurations: [square] } }, { POSSYNC__Breaker__MaxZeroedShare: '150%', POSSYNC__PosAccess__PosConfigurations__0__Breaker__MaxDropShare: 'half' }));
    assert.ok(fromEnv.some((p) => /^Breaker\.MaxZeroedShare must be a share from 0 to 1/.test(p)), fromEnv.join('\n'));
    assert.ok(fromEnv.some((p) => /^PosAccess\.PosConfigurations\[0\]\.Breaker\.MaxDropShare must be a share/.test(p)), fromEnv.join('\n'));
    const ok = parseConfig({ PosAccess: { PosConfigurations: [square] } }, { POSSYNC__Breaker__MaxZeroedShare: '5%', POSSYNC__Breaker__MinItems: '0' });
    assert.equal(ok.breaker.maxZeroedShare, 0.05);
    assert.equal(ok.accounts[0]!.breaker?.minItems, 0);
  });
});
