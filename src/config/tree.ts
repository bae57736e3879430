/**
 * The configuration as .NET's configuration system sees it: a tree whose object keys match
 * case-insensitively, where a repeated key (in any case) merges into the earlier one, and where
 * environment variables override single leaves by path.
 */
import type { JsonValue } from './jsonc.ts';

export type ConfigNode = ObjectNode | ArrayNode | ValueNode;
export interface ObjectNode {
  kind: 'object';
  /** Lower-cased key → the spelling seen first and the node. */
  entries: Map<string, { name: string; node: ConfigNode }>;
}
export interface ArrayNode {
  kind: 'array';
  items: Array<ConfigNode | undefined>;
}
export interface ValueNode {
  kind: 'value';
  value: string | number | boolean | null;
  /** Set when the value came from an environment variable or a command-line flag (its name, for messages). */
  setBy?: string;
}

export function emptyObject(): ObjectNode {
  return { kind: 'object', entries: new Map() };
}

export function toNode(json: JsonValue): ConfigNode {
  if (Array.isArray(json)) return { kind: 'array', items: json.map(toNode) };
  if (json !== null && typeof json === 'object') {
    const node = emptyObject();
    for (const [key, value] of json.entries) setChild(node, key, toNode(value));
    return node;
  }
  return { kind: 'value', value: json };
}

/** Adds a child the way .NET does: objects under the same key merge, anything else replaces. */
function setChild(parent: ObjectNode, key: string, node: ConfigNode): void {
  const lower = key.toLowerCase();
  const existing = parent.entries.get(lower);
  if (existing && existing.node.kind === 'object' && node.kind === 'object') {
    for (const { name, node: child } of node.entries.values()) setChild(existing.node, name, child);
    return;
  }
  parent.entries.set(lower, { name: existing?.name ?? key, node });
}

export function child(node: ConfigNode | undefined, key: string): ConfigNode | undefined {
  return node?.kind === 'object' ? node.entries.get(key.toLowerCase())?.node : undefined;
}

/** The environment prefix for possync's own overrides (`POSSYNC__PosAccess__...`). */
export const ENV_PREFIX = 'POSSYNC__';

export interface EnvOverrideResult {
  /** Names of the variables applied, in order. */
  applied: string[];
  warnings: string[];
}

/**
 * Applies ASP.NET-style overrides: `Section__Key__0__Leaf=value` (`__` or `:` separate levels,
 * numbers index arrays). Variables prefixed `POSSYNC__` always apply (an unknown first section
 * is then a warning); unprefixed ones apply only when their first segment is one of
 * `unprefixedKeys`, so PATH, HOME and friends are left alone. Prefixed ones win over unprefixed.
 */
export function applyEnvOverrides(
  root: ObjectNode,
  env: Record<string, string | undefined>,
  unprefixedKeys: readonly string[],
): EnvOverrideResult {
  const known = new Set(unprefixedKeys.map((k) => k.toLowerCase()));
  const plain: Array<[string, string[], string]> = [];
  const prefixed: Array<[string, string[], string]> = [];
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const isPrefixed = name.toUpperCase().startsWith(ENV_PREFIX);
    const segments = (isPrefixed ? name.slice(ENV_PREFIX.length) : name).split(/__|:/);
    if (segments.some((s) => s === '')) continue;
    if (isPrefixed) prefixed.push([name, segments, value]);
    else if (segments.length > 0 && known.has(segments[0]!.toLowerCase())) plain.push([name, segments, value]);
  }
  const byName = (a: [string, string[], string], b: [string, string[], string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const applied: string[] = [];
  for (const [name, segments, value] of [...plain.sort(byName), ...prefixed.sort(byName)]) {
    const problem = setPath(root, segments, { kind: 'value', value, setBy: name });
    if (problem) warnings.push(`environment variable ${name} ignored: ${problem}`);
    else applied.push(name);
  }
  return { applied, warnings };
}

/** Sets one leaf by path (command-line flags use it, so they pass the same checks as the file). */
export function setPath(root: ObjectNode, segments: string[], leaf: ValueNode): string | null {
  let node: ConfigNode = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    const nextIsIndex = !last && /^\d+$/.test(segments[i + 1]!);
    const fresh = (): ConfigNode => (last ? leaf : nextIsIndex ? { kind: 'array', items: [] } : emptyObject());
    if (node.kind === 'array') {
      if (!/^\d+$/.test(segment)) return `"${segment}" is not an array index`;
      const index = Number(segment);
      if (index > node.items.length) return `index ${index} would leave a gap (the list has ${node.items.length} entries)`;
      let target: ConfigNode | undefined = node.items[index];
      if (last || !target || target.kind === 'value') {
        target = fresh();
        node.items[index] = target;
      }
      node = target;
    } else if (node.kind === 'object') {
      const lower = segment.toLowerCase();
      const existing: { name: string; node: ConfigNode } | undefined = node.entries.get(lower);
      let target: ConfigNode | undefined = existing?.node;
      if (last || !target || target.kind === 'value') {
        target = fresh();
        node.entries.set(lower, { name: existing?.name ?? segment, node: target });
      }
      node = target;
    } else {
      return 'a value cannot hold a section';
    }
  }
  return null;
}

/** A plain JavaScript value (JSON.parse output, a test's object literal) as a config tree. */
export function fromPlain(value: unknown): ConfigNode {
  if (Array.isArray(value)) return { kind: 'array', items: value.map(fromPlain) };
  if (value !== null && typeof value === 'object') {
    const node = emptyObject();
    for (const [key, item] of Object.entries(value)) setChild(node, key, fromPlain(item));
    return node;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { kind: 'value', value };
  return { kind: 'value', value: null };
}
