import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonSyntaxError, parseLenientJson } from './jsonc.ts';

const plain = (text: string) => JSON.parse(JSON.stringify(parseLenientJson(text).value));

describe('lenient JSON (what ASP.NET tolerated)', () => {
  it('accepts // and /* */ comments and trailing commas', () => {
    const { value, warnings } = parseLenientJson(`{
      // a comment
      "a": [1, 2, 3,], /* another */
      "b": { "c": "x // not a comment", },
    }`);
    assert.deepEqual(warnings, []);
    assert.deepEqual(JSON.parse(JSON.stringify(value)), {
      kind: 'object',
      entries: [['a', [1, 2, 3]], ['b', { kind: 'object', entries: [['c', 'x // not a comment']] }]],
    });
  });

  it('turns content after the root object into a warning', () => {
    const { warnings } = parseLenientJson('{ "a": 1 } \n}\n');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /line 2, column 1/);
  });

  it('reads escapes, numbers, booleans, null and a BOM', () => {
    assert.deepEqual(plain('\ufeff["a\\\\b\\u0041\\n", -1.5e2, true, false, null]'), ['a\\bA\n', -150, true, false, null]);
  });

  it('reports a syntax error by line and column, without quoting the text', () => {
    const text = '{\n  "AccessToken": "s3cr3t-token-value"\n  "Type": 1\n}';
    assert.throws(() => parseLenientJson(text), (error: unknown) => {
      assert.ok(error instanceof JsonSyntaxError);
      assert.equal(error.line, 3);
      assert.doesNotMatch(error.message, /s3cr3t/);
      return true;
    });
    assert.throws(() => parseLenientJson(''), /empty/);
    assert.throws(() => parseLenientJson('{"a": "unterminated}'), /unterminated string/);
    assert.throws(() => parseLenientJson('{"a": 1 /* open'), /unterminated \/\* comment/);
  });
});
