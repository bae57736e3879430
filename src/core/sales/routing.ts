/**
 * Which source(s) of a multi-source item serve a sale (issue 12, part 3). Pure: intake hands in
 * the item's sources as locked for the transaction, with their running quantities.
 *
 * A source can give `available − limit_quantity` units (its own floor; ≥ 0). The sale goes to one
 * source whenever one can serve it whole; it is split only when none can, each part taking what
 * its source can give. Healthy sources are tried first (whole, then split), so a stale or failing
 * account does not take sales the others can serve; it is used only when they cannot.
 *
 * Policies (config `Sales.Routing`):
 * - `most-available` (default): the source with the most available; a split fills from the
 *   largest down. Ties go to the item's first source, then the oldest extra source.
 * - `priority`: sources in the order of `Sales.SourcePriority` (account ids; accounts not listed
 *   come after, first source first); a split fills in that order.
 */
export type RoutingPolicy = { kind: 'most-available' } | { kind: 'priority'; order: readonly string[] };

export const DEFAULT_ROUTING: RoutingPolicy = { kind: 'most-available' };

export interface RoutableSource {
  accountId: string;
  posItemId: string;
  /** Running available (after earlier sales of the batch); null = never counted. */
  available: number | null;
  limitQuantity: number;
  /** Its account is configured and reachable, its last poll did not fail, its sales are not failing. */
  healthy: boolean;
}

export interface RoutedPart<S extends RoutableSource> {
  source: S;
  quantity: number;
}

export const capacity = (source: RoutableSource): number => (source.available === null ? 0 : Math.max(0, source.available - source.limitQuantity));

/** The sources in the policy's order of preference (the input is first source first, then oldest extra first). */
export function ordered<S extends RoutableSource>(sources: readonly S[], policy: RoutingPolicy): S[] {
  const indexed = sources.map((source, index) => ({ source, index }));
  if (policy.kind === 'priority') {
    const rank = (id: string) => {
      const at = policy.order.indexOf(id);
      return at === -1 ? policy.order.length : at;
    };
    indexed.sort((a, b) => rank(a.source.accountId) - rank(b.source.accountId) || a.index - b.index);
  } else {
    indexed.sort((a, b) => capacity(b.source) - capacity(a.source) || a.index - b.index);
  }
  return indexed.map((entry) => entry.source);
}

/** The parts that serve `quantity`, or null when all the sources together cannot. */
export function route<S extends RoutableSource>(sources: readonly S[], quantity: number, policy: RoutingPolicy): RoutedPart<S>[] | null {
  const healthy = sources.filter((s) => s.healthy);
  for (const pool of healthy.length === sources.length ? [sources] : [healthy, sources]) {
    const preference = ordered(pool, policy);
    const whole = preference.find((s) => capacity(s) >= quantity);
    if (whole) return [{ source: whole, quantity }];
    const parts: RoutedPart<S>[] = [];
    let left = quantity;
    for (const source of preference) {
      const take = Math.min(capacity(source), left);
      if (take <= 0) continue;
      parts.push({ source, quantity: take });
      left -= take;
      if (left === 0) return parts;
    }
  }
  return null;
}

/** Splits an amount in cents over parts in proportion to their quantities, summing exactly to it. */
export function splitAmount(amountCents: number, quantities: readonly number[]): number[] {
  const total = quantities.reduce((a, b) => a + b, 0);
  let given = 0;
  return quantities.map((q, i) => {
    if (i === quantities.length - 1) return amountCents - given;
    const share = Math.floor((amountCents * q) / total);
    given += share;
    return share;
  });
}
