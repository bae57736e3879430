import { LsHttpError } from './format.ts';
import { orClauses, type OrOperand } from './or-clause.ts';

/**
 * V3 query semantics: `field=OP,value` filters, `or=`, `sort=[-]field`, `limit` ≤ 100, `count=1`,
 * and opaque `after`/`before` cursors that the answer hands back inside full next/previous URLs.
 */
export type FieldType = 'id' | 'number' | 'string' | 'time' | 'bool';

export interface FieldSpec<T> {
  type: FieldType;
  get(record: T): string | number | boolean;
}

export interface RelationSpec<T> {
  many: boolean;
  /** Present when the relation's fields can be searched (`ItemShops.qoh=>,1`). */
  fields?: Record<string, FieldSpec<unknown>>;
  rows?(record: T): unknown[];
}

export interface EntitySpec<T> {
  name: string;
  key: string;
  fields: Record<string, FieldSpec<T>>;
  sortable: readonly string[];
  relations: Record<string, RelationSpec<T>>;
  /** Entities with `archived` hide archived records unless asked (archived=true|only). */
  archived?(record: T): boolean;
}

const OPERATORS = ['>=', '<=', '!=', '><', '!~', '>', '<', '=', '~', 'IN', '!IN'] as const;
type Operator = (typeof OPERATORS)[number];
const RESERVED = new Set(['limit', 'sort', 'count', 'after', 'before', 'load_relations', 'or', 'archived', 'offset']);
export const MAX_LIMIT = 100;
const MAX_IN = 100;

type Predicate<T> = (record: T) => boolean;

export interface ParsedQuery<T> {
  predicates: Predicate<T>[];
  relations: string[];
  count: boolean;
  limit: number;
  sort: { field: string; desc: boolean };
  cursor: { direction: 'after' | 'before'; value: number | string; id: number } | null;
}

/** The relations asked for: a JSON array (`["ItemShops"]`) or `all`. */
export function parseRelations<T>(raw: string | null, spec: EntitySpec<T>): string[] {
  if (raw === null || raw === '') return [];
  if (raw === 'all') return Object.keys(spec.relations);
  let names: unknown;
  try {
    names = JSON.parse(raw);
  } catch {
    throw new LsHttpError(400, `load_relations must be a JSON array of relation names or "all" (got ${raw}).`);
  }
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new LsHttpError(400, 'load_relations must be a JSON array of relation names.');
  }
  for (const name of names as string[]) {
    if (!Object.hasOwn(spec.relations, name)) {
      const known = Object.keys(spec.relations);
      throw new LsHttpError(400, `Invalid relation ${name} for ${spec.name}. Valid relations: ${known.join(', ') || 'none'}.`);
    }
  }
  return [...new Set(names as string[])];
}

/** `rawQuery` is the query string as sent (no `?`): `or=` must be split before decoding. */
export function parseQuery<T>(params: URLSearchParams, spec: EntitySpec<T>, rawQuery = params.toString()): ParsedQuery<T> {
  if (params.has('offset')) throw new LsHttpError(400, 'The offset parameter is not supported in API V3; follow @attributes.next instead.');
  const relations = parseRelations(params.get('load_relations'), spec);
  const count = params.get('count') === '1';
  if (count && ['limit', 'sort', 'after', 'before'].some((p) => params.has(p))) {
    throw new LsHttpError(400, 'count cannot be combined with limit, sort, after or before.');
  }
  const limitRaw = params.get('limit');
  let limit = MAX_LIMIT;
  if (limitRaw !== null) {
    if (!/^[0-9]+$/.test(limitRaw) || Number(limitRaw) < 1) throw new LsHttpError(400, `limit must be a positive integer (got ${limitRaw}).`);
    limit = Number(limitRaw);
    if (limit > MAX_LIMIT) throw new LsHttpError(400, `limit cannot be greater than ${MAX_LIMIT}.`);
  }
  const sortRaw = params.get('sort') ?? spec.key;
  const sort = { field: sortRaw.replace(/^-/, ''), desc: sortRaw.startsWith('-') };
  if (!spec.sortable.includes(sort.field)) {
    throw new LsHttpError(400, `Invalid sort field ${sort.field} for ${spec.name}. Valid sort fields: ${spec.sortable.join(', ')}.`);
  }
  const predicates: Predicate<T>[] = [];
  for (const [name, value] of params) {
    if (RESERVED.has(name)) continue;
    predicates.push(fieldPredicate(spec, name, value, relations));
  }
  for (const operands of orClauses(rawQuery)) predicates.push(orPredicate(spec, operands, relations));
  if (spec.archived) predicates.push(archivedPredicate(spec.archived, params.get('archived')));
  const cursor = readCursor(params, sort);
  return { predicates, relations, count, limit, sort, cursor };
}

function archivedPredicate<T>(isArchived: (r: T) => boolean, raw: string | null): Predicate<T> {
  const mode = (raw ?? 'false').toLowerCase();
  if (mode === 'false' || mode === '0') return (r) => !isArchived(r);
  if (mode === 'true' || mode === '1') return () => true;
  if (mode === 'only') return (r) => isArchived(r);
  throw new LsHttpError(400, `archived must be true, false or only (got ${raw}).`);
}

function orPredicate<T>(spec: EntitySpec<T>, operands: OrOperand[], relations: string[]): Predicate<T> {
  const parts = operands.map((o) => {
    if (o.field === '') throw new LsHttpError(400, `Invalid or clause "${o.condition}"; expected field%3DOP,value.`);
    return fieldPredicate(spec, o.field, o.condition, relations);
  });
  return (record) => parts.some((p) => p(record));
}

function fieldPredicate<T>(spec: EntitySpec<T>, name: string, raw: string, relations: string[]): Predicate<T> {
  const dot = name.indexOf('.');
  if (dot > 0) {
    // Searching inside a loaded relation: the record matches when any related row does.
    const relName = name.slice(0, dot);
    const relation = spec.relations[relName];
    const field = relation?.fields?.[name.slice(dot + 1)];
    if (!relation || !field || !relation.rows) throw new LsHttpError(400, `Invalid search field ${name} for ${spec.name}.`);
    if (!relations.includes(relName)) throw new LsHttpError(400, `Searching on ${name} needs load_relations to include ${relName}.`);
    const test = condition(field, name, raw);
    const rows = relation.rows;
    return (record) => rows(record).some((row) => test(row));
  }
  const field = spec.fields[name];
  if (!field) {
    throw new LsHttpError(400, `Invalid search field ${name} for ${spec.name}. Searchable fields: ${Object.keys(spec.fields).join(', ')}.`);
  }
  return condition(field, name, raw);
}

function splitOperator(raw: string): { op: Operator; value: string } {
  const comma = raw.indexOf(',');
  if (comma >= 0) {
    const head = raw.slice(0, comma).trim().toUpperCase();
    const op = OPERATORS.find((o) => o === head);
    if (op) return { op, value: raw.slice(comma + 1) };
  }
  return { op: '=', value: raw };
}

/** Normalises a value for comparing: numbers and times as numbers, text lower-cased. */
function normalise(type: FieldType, value: string | number | boolean, name: string): number | string {
  if (type === 'id' || type === 'number') {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (String(value).trim() === '' || !Number.isFinite(n)) throw new LsHttpError(400, `Invalid value "${value}" for numeric field ${name}.`);
    return n;
  }
  if (type === 'time') {
    if (typeof value === 'number') return Math.floor(value / 1000) * 1000;
    // A raw "+" in a query string arrives as a space; put the offset sign back.
    const text = String(value).trim().replace(/ (\d\d:?\d\d)$/, '+$1');
    const ms = Date.parse(text);
    if (!Number.isFinite(ms)) throw new LsHttpError(400, `Invalid date "${value}" for ${name}; use ISO 8601 with an offset.`);
    return ms;
  }
  if (type === 'bool') return String(value).toLowerCase() === '1' ? 'true' : String(value).toLowerCase();
  return String(value).toLowerCase();
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function condition<T>(field: FieldSpec<T>, name: string, raw: string): Predicate<T> {
  const { op, value } = splitOperator(raw);
  const get = (r: T) => normalise(field.type, field.get(r), name);
  switch (op) {
    case '~':
    case '!~': {
      const re = likeToRegExp(value);
      return (r) => re.test(String(field.get(r)).toLowerCase()) === (op === '~');
    }
    case 'IN':
    case '!IN': {
      const list = parseInList(value, name).map((v) => normalise(field.type, v, name));
      const set = new Set(list);
      return (r) => set.has(get(r)) === (op === 'IN');
    }
    case '><': {
      const comma = value.indexOf(',');
      if (comma < 0) throw new LsHttpError(400, `The between operator needs two values: ${name}=><,low,high.`);
      const low = normalise(field.type, value.slice(0, comma), name);
      const high = normalise(field.type, value.slice(comma + 1), name);
      return (r) => {
        const v = get(r);
        return v >= low && v <= high;
      };
    }
    default: {
      const target = normalise(field.type, value, name);
      const compare: Record<string, (a: number | string) => boolean> = {
        '=': (a) => a === target,
        '!=': (a) => a !== target,
        '>': (a) => a > target,
        '>=': (a) => a >= target,
        '<': (a) => a < target,
        '<=': (a) => a <= target,
      };
      const test = compare[op]!;
      return (r) => test(get(r));
    }
  }
}

function parseInList(value: string, name: string): string[] {
  const trimmed = value.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) throw new LsHttpError(400, `IN needs a bracketed list: ${name}=IN,[1,2,3].`);
  const inner = trimmed.slice(1, -1).trim();
  const items = inner === '' ? [] : inner.split(',').map((s) => s.trim().replace(/^["']|["']$/g, ''));
  if (items.length > MAX_IN) throw new LsHttpError(400, `IN accepts at most ${MAX_IN} values for ${name} (got ${items.length}).`);
  return items;
}

function readCursor(params: URLSearchParams, sort: { field: string; desc: boolean }): ParsedQuery<unknown>['cursor'] {
  const after = params.get('after');
  const before = params.get('before');
  if (after !== null && before !== null) throw new LsHttpError(400, 'Use either after or before, not both.');
  const raw = after ?? before;
  if (raw === null) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new LsHttpError(400, 'Invalid pagination cursor.');
  }
  const c = decoded as { s?: unknown; v?: unknown; id?: unknown };
  if (typeof c !== 'object' || c === null || typeof c.id !== 'number' || (typeof c.v !== 'number' && typeof c.v !== 'string')) {
    throw new LsHttpError(400, 'Invalid pagination cursor.');
  }
  if (c.s !== `${sort.desc ? '-' : ''}${sort.field}`) throw new LsHttpError(400, 'The pagination cursor does not match the sort order.');
  return { direction: after !== null ? 'after' : 'before', value: c.v, id: c.id };
}

export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
  previousCursor: string | null;
}

/** Filters, sorts (ties broken by the primary key) and cuts one page at the cursor. */
export function runQuery<T>(all: Iterable<T>, spec: EntitySpec<T>, query: ParsedQuery<T>): Page<T> & { total: number } {
  const matching = [...all].filter((r) => query.predicates.every((p) => p(r)));
  const sortField = spec.fields[query.sort.field]!;
  const keyField = spec.fields[spec.key]!;
  const tuple = (r: T): [number | string, number] => [normalise(sortField.type, sortField.get(r), query.sort.field), Number(keyField.get(r))];
  const sign = query.sort.desc ? -1 : 1;
  const cmp = (a: [number | string, number], b: [number | string, number]) => {
    if (a[0] !== b[0]) return (a[0] < b[0] ? -1 : 1) * sign;
    return (a[1] - b[1]) * sign;
  };
  const sorted = matching.map((r) => ({ r, t: tuple(r) })).sort((a, b) => cmp(a.t, b.t));
  let start = 0;
  let end = sorted.length;
  if (query.cursor) {
    const at: [number | string, number] = [query.cursor.value, query.cursor.id];
    const firstAfter = sorted.findIndex((x) => cmp(x.t, at) > 0);
    const lastBefore = sorted.findLastIndex((x) => cmp(x.t, at) < 0);
    if (query.cursor.direction === 'after') start = firstAfter < 0 ? sorted.length : firstAfter;
    else end = lastBefore + 1;
  }
  if (query.cursor?.direction === 'before') start = Math.max(0, end - query.limit);
  else end = Math.min(end, start + query.limit);
  const slice = sorted.slice(start, end);
  const sortName = `${query.sort.desc ? '-' : ''}${query.sort.field}`;
  const encode = (t: [number | string, number]) => Buffer.from(JSON.stringify({ s: sortName, v: t[0], id: t[1] })).toString('base64url');
  const first = slice[0];
  const last = slice[slice.length - 1];
  return {
    rows: slice.map((x) => x.r),
    total: sorted.length,
    nextCursor: last && end < sorted.length ? encode(last.t) : null,
    previousCursor: first && start > 0 ? encode(first.t) : null,
  };
}

/**
 * The full URL of a neighbouring page: the query as sent (raw, so an `or=` keeps its raw pipes),
 * defaults spelled out, new cursor.
 */
export function pageUrl(base: string, path: string, rawQuery: string, query: ParsedQuery<unknown>, direction: 'after' | 'before', cursor: string): string {
  const keyOf = (pair: string) => decodeURIComponent(pair.split('=')[0]!.replace(/\+/g, ' '));
  const pairs = rawQuery.split('&').filter((pair) => pair !== '' && !['after', 'before'].includes(keyOf(pair)));
  const present = new Set(pairs.map(keyOf));
  if (!present.has('sort')) pairs.push(`sort=${encodeURIComponent(`${query.sort.desc ? '-' : ''}${query.sort.field}`)}`);
  if (!present.has('limit')) pairs.push(`limit=${query.limit}`);
  pairs.push(`${direction}=${cursor}`);
  return `${base}${path}?${pairs.join('&')}`;
}
