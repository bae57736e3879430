import type { FastifyInstance } from 'fastify';
import { invalidRequest, notFound } from './errors.ts';
import { isObject, type SquareContext } from './context.ts';
import { decodeCursor, encodeCursor, fingerprint, isOffset } from './cursor.ts';
import { attributeOf, matchesText, parseCatalogTypes, recordOf, tokens, type CatalogObject } from './catalog.ts';

/** ListCatalog, SearchCatalogItems, SearchCatalogObjects, RetrieveCatalogObject, BatchRetrieveCatalogObjects. */
const LIST_PAGE_SIZE = 100;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** One page of a list by offset; the cursor is bound to the query fingerprint. */
function pageOf<T>(all: readonly T[], kind: string, query: string, cursor: unknown, limit: number): { slice: T[]; cursor?: string } {
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string') throw invalidRequest('EXPECTED_STRING', 'cursor must be a string.', 'cursor');
  const offset = typeof cursor === 'string' && cursor !== '' ? decodeCursor(cursor, kind, query, isOffset) : 0;
  const slice = all.slice(offset, offset + limit);
  const next = offset + slice.length;
  return next < all.length ? { slice, cursor: encodeCursor(kind, query, next) } : { slice };
}

function readLimit(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value)) throw invalidRequest('EXPECTED_INTEGER', 'limit must be an integer.', 'limit');
  if ((value as number) < 1) throw invalidRequest('VALUE_TOO_LOW', 'limit must be at least 1.', 'limit');
  if ((value as number) > max) throw invalidRequest('VALUE_TOO_HIGH', `limit must be at most ${max}.`, 'limit');
  return value as number;
}

const body = (value: unknown): Record<string, unknown> => {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidRequest('EXPECTED_JSON_BODY', 'The request body must be a JSON object.');
  return value;
};

export function registerCatalogRoutes(api: FastifyInstance, ctx: SquareContext): void {
  const catalog = ctx.state.catalog;
  const config = { config: { scope: 'ITEMS_READ' } } as const;

  api.get<{ Querystring: { types?: string; cursor?: string; catalog_version?: string } }>('/v2/catalog/list', config, async (request) => {
    const typesText = request.query.types;
    const types = typesText === undefined || typesText === '' ? null : parseCatalogTypes(typesText.split(','), 'types');
    const all = catalog.objectsOfTypes(types);
    const page = pageOf(all, 'list', fingerprint(types === null ? null : [...types].sort()), request.query.cursor, LIST_PAGE_SIZE);
    return { ...(page.slice.length > 0 ? { objects: page.slice } : {}), ...(page.cursor ? { cursor: page.cursor } : {}) };
  });

  api.post('/v2/catalog/search-catalog-items', config, async (request) => {
    const b = body(request.body);
    const limit = readLimit(b.limit, 100, 100);
    const text = b.text_filter;
    if (text !== undefined && text !== null && typeof text !== 'string') throw invalidRequest('EXPECTED_STRING', 'text_filter must be a string.', 'text_filter');
    const words = typeof text === 'string' ? tokens(text) : [];
    const descending = b.sort_order === 'DESC';
    // The simulated catalog has no categories: a category filter matches nothing.
    const categories = Array.isArray(b.category_ids) && b.category_ids.length > 0;
    const matched = categories ? [] : catalog.records.filter((r) => matchesText(r, words));
    matched.sort((a, b2) => (a.name === b2.name ? (a.itemId < b2.itemId ? -1 : 1) : a.name < b2.name ? -1 : 1) * (descending ? -1 : 1));
    const query = fingerprint({ text: words, descending, categories });
    const page = pageOf(matched, 'items', query, b.cursor, limit);
    return page.slice.length === 0
      ? {}
      : { items: page.slice.map((r) => r.item), matched_variation_ids: page.slice.map((r) => r.variationId), ...(page.cursor ? { cursor: page.cursor } : {}) };
  });

  api.post('/v2/catalog/search', config, async (request) => {
    const b = body(request.body);
    const limit = readLimit(b.limit, 100, 1000);
    const objectTypes = Array.isArray(b.object_types) ? parseCatalogTypes(b.object_types, 'object_types') : null;
    let beginTime: number | null = null;
    if (typeof b.begin_time === 'string') {
      beginTime = RFC3339.test(b.begin_time) ? Date.parse(b.begin_time) : NaN;
      if (Number.isNaN(beginTime)) throw invalidRequest('INVALID_TIME', 'begin_time must be an RFC 3339 timestamp.', 'begin_time');
    }
    const filter = queryFilter(b.query);
    const updatedAt = Date.parse(catalog.updatedAt);
    const all = catalog.objectsOfTypes(objectTypes).filter((o) => (beginTime === null || updatedAt > beginTime) && filter(o));
    const page = pageOf(all, 'search', fingerprint({ objectTypes: objectTypes && [...objectTypes].sort(), beginTime, query: b.query ?? null }), b.cursor, limit);
    const related = b.include_related_objects === true ? catalog.relatedOf(page.slice) : [];
    return {
      ...(page.slice.length > 0 ? { objects: page.slice } : {}),
      ...(related.length > 0 ? { related_objects: related } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
      latest_time: catalog.updatedAt,
    };
  });

  api.get<{ Params: { object_id: string }; Querystring: { include_related_objects?: string } }>('/v2/catalog/object/:object_id', config, async (request) => {
    const object = catalog.object(request.params.object_id);
    if (!object) throw notFound(`Object with ID \`${request.params.object_id}\` not found.`);
    const related = request.query.include_related_objects === 'true' ? catalog.relatedOf([object]) : [];
    return { object, ...(related.length > 0 ? { related_objects: related } : {}) };
  });

  api.post('/v2/catalog/batch-retrieve', config, async (request) => {
    const b = body(request.body);
    if (!Array.isArray(b.object_ids)) {
      throw b.object_ids === undefined ? invalidRequest('MISSING_REQUIRED_PARAMETER', 'Missing required parameter object_ids.', 'object_ids') : invalidRequest('EXPECTED_ARRAY', 'object_ids must be an array.', 'object_ids');
    }
    // Unknown ids are left out, not an error.
    const objects = b.object_ids.flatMap((id) => {
      const object = typeof id === 'string' ? catalog.object(id) : undefined;
      return object ? [object] : [];
    });
    const related = b.include_related_objects === true ? catalog.relatedOf(objects) : [];
    return { ...(objects.length > 0 ? { objects } : {}), ...(related.length > 0 ? { related_objects: related } : {}) };
  });

  /** exact, prefix and text queries on `name` and `sku`; other query kinds are refused, not ignored. */
  function queryFilter(query: unknown): (object: CatalogObject) => boolean {
    if (query === undefined || query === null) return () => true;
    if (!isObject(query)) throw invalidRequest('EXPECTED_OBJECT', 'query must be an object.', 'query');
    const tests: Array<(object: CatalogObject) => boolean> = [];
    for (const [kind, spec] of Object.entries(query)) {
      if (spec === null || spec === undefined) continue;
      if (!isObject(spec)) throw invalidRequest('EXPECTED_OBJECT', `${kind} must be an object.`, `query.${kind}`);
      const attribute = typeof spec.attribute_name === 'string' ? spec.attribute_name : '';
      const value = (o: CatalogObject) => attributeOf(recordOf(catalog, o), o, attribute)?.toLowerCase();
      if (kind === 'exact_query') {
        const wanted = String(spec.attribute_value ?? '').toLowerCase();
        tests.push((o) => value(o) === wanted);
      } else if (kind === 'prefix_query') {
        const prefix = String(spec.attribute_prefix ?? '').toLowerCase();
        tests.push((o) => value(o)?.startsWith(prefix) ?? false);
      } else if (kind === 'text_query') {
        const words = Array.isArray(spec.keywords) ? spec.keywords.map((k) => String(k).toLowerCase()) : [];
        tests.push((o) => {
          const r = recordOf(catalog, o);
          const fields = (o.type === 'ITEM' ? [r.name] : [r.variationName, r.sku ?? '']).map((f) => f.toLowerCase());
          return words.every((w) => fields.some((f) => f.includes(w)));
        });
      } else if (kind === 'sorted_attribute_query') {
        continue; // ordering only; catalog order is kept
      } else {
        throw invalidRequest('BAD_REQUEST', `The simulator does not support ${kind} (it supports exact_query, prefix_query and text_query).`, `query.${kind}`);
      }
    }
    return (object) => tests.every((t) => t(object));
  }
}
