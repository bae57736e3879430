/**
 * The `or=` parameter as Lightspeed reads it: the raw query value is split on raw `|` BEFORE
 * percent-decoding, so a `%7C` is a literal pipe inside one operand, never a separator
 * (developers.lightspeedhq.com/retail/introduction/parameters). URLSearchParams decodes first,
 * which is why the operands are cut from the raw query string here.
 */
export interface OrOperand {
  field: string;
  /** `OP,value` or a bare value, decoded. */
  condition: string;
}

const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));

/** Every `or=` parameter of a raw query string (no leading `?`), each as its operands. */
export function orClauses(rawQuery: string): OrOperand[][] {
  const clauses: OrOperand[][] = [];
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || safeDecode(pair.slice(0, eq)) !== 'or') continue;
    clauses.push(pair.slice(eq + 1).split('|').map(operand));
  }
  return clauses;
}

function safeDecode(part: string): string | null {
  try {
    return decode(part);
  } catch {
    return null;
  }
}

function operand(raw: string): OrOperand {
  const text = safeDecode(raw) ?? raw;
  const eq = text.indexOf('=');
  return eq <= 0 ? { field: '', condition: text } : { field: text.slice(0, eq), condition: text.slice(eq + 1) };
}

const RANGE = /^\s*(>=|<=|><|>|<)\s*,/;

/**
 * Extra drips of the `or=` clauses (same page of the docs): all operands on one field cost
 * nothing more; on fields of one entity with at most one range operator, 1 drip per operand;
 * otherwise 10 per entity plus 1 per further operand on that entity.
 */
export function orCost(clauses: OrOperand[][]): number {
  let total = 0;
  for (const operands of clauses) {
    const fields = new Set(operands.map((o) => o.field));
    if (fields.size <= 1) continue;
    const entityOf = (field: string) => (field.includes('.') ? field.slice(0, field.indexOf('.')) : '');
    const entities = new Map<string, number>();
    for (const o of operands) entities.set(entityOf(o.field), (entities.get(entityOf(o.field)) ?? 0) + 1);
    const ranges = operands.filter((o) => RANGE.test(o.condition)).length;
    if (entities.size === 1 && ranges <= 1) total += operands.length;
    else for (const count of entities.values()) total += 10 + (count - 1);
  }
  return total;
}
