import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadMarks } from './read-marks.ts';

test('the ids never marked come back in the order given, whatever order they are marked in', () => {
  const ids = ['b-2', 'a', 'Z9', 'é', '10', '9', 'a-1'];
  const marks = new ReadMarks(ids);
  for (const id of ['9', 'é', 'a', 'not-mapped', 'b-2']) marks.mark(id);
  assert.deepEqual(marks.unmarked(), ['Z9', '10', 'a-1']);
});

test('marking twice, an empty list, and ids that differ only in case', () => {
  assert.deepEqual(new ReadMarks([]).unmarked(), []);
  const marks = new ReadMarks(['abc', 'ABC', 'aBc']);
  marks.mark('ABC');
  marks.mark('ABC');
  assert.deepEqual(marks.unmarked(), ['abc', 'aBc']);
  for (const id of ['abc', 'aBc']) marks.mark(id);
  assert.deepEqual(marks.unmarked(), []);
});

test('a list with a duplicate id: both copies are read once it is marked', () => {
  const marks = new ReadMarks(['x', 'y', 'x']);
  assert.deepEqual(marks.unmarked(), ['x', 'y', 'x']);
  marks.mark('x');
  assert.deepEqual(marks.unmarked(), ['y']);
});
