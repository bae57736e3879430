import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SINK_TABLE } from '../config/types.ts';
import { parseTableName, quoteIdentifier, resolveName, validateTableConfig } from './identifiers.ts';
import { canonicalId, prepareWrites, wrapError } from './common.ts';

test('identifiers: validated, then quoted per dialect', () => {
  assert.equal(quoteIdentifier('Shop Stock', 'postgres'), '"Shop Stock"');
  assert.equal(quoteIdentifier('Shop Stock', 'mysql'), '`Shop Stock`');
  assert.deepEqual(parseTableName('shop.stock'), { schema: 'shop', name: 'stock' });
  for (const bad of ['stock; drop table x', 'a"b', 'a`b', '1stock', '', 'trailing ', 'x'.repeat(64), 'a.b.c', 'tab\tle']) {
    assert.throws(() => parseTableName(bad), /not a valid SQL identifier|must be "table" or "schema.table"/, bad);
  }
  assert.deepEqual(validateTableConfig(DEFAULT_SINK_TABLE), { schema: null, name: 'stock' });
  assert.throws(() => validateTableConfig({ ...DEFAULT_SINK_TABLE, columns: { ...DEFAULT_SINK_TABLE.columns, quantity: 'IDPRODUCTPOS' } }), /distinct/);
});

test('identifiers: exact catalog name first, else one case-insensitive match', () => {
  assert.equal(resolveName('idProductPOS', ['id', 'idproductpos']), 'idproductpos');
  assert.equal(resolveName('Qty', ['qty', 'Qty']), 'Qty');
  assert.equal(resolveName('QTY', ['qty', 'Qty']), null);
});

test('ids: numeric columns only take whole numbers; duplicates collapse, last wins', () => {
  assert.equal(canonicalId(' 007 ', 'integer'), '7');
  assert.equal(canonicalId('7abc', 'integer'), null);
  assert.equal(canonicalId('1e3', 'decimal'), null);
  assert.equal(canonicalId('007', 'text'), '007');
  assert.deepEqual(prepareWrites([{ ecommerceId: '1', quantity: 1 }, { ecommerceId: '01', quantity: 2 }, { ecommerceId: 'x', quantity: 3 }], 'integer'), [{ id: '1', quantity: 2 }]);
});

test('errors: the target is named, the password scrubbed, the driver error not kept', () => {
  assert.throws(
    () => wrapError(Object.assign(new Error('auth failed for hunter2'), { code: '28P01', config: { password: 'hunter2' } }), 'open', 'postgres://u@h:5432/db', 'hunter2'),
    (err: Error & { code?: string }) => {
      assert.equal(err.message, 'sink open failed on postgres://u@h:5432/db: auth failed for *** (28P01)');
      assert.equal(err.code, '28P01');
      assert.ok(!JSON.stringify(err).includes('hunter2') && err.cause === undefined);
      return true;
    },
  );
});
