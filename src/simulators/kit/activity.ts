import { randomInt, type Random } from './random.ts';

/** What the kit needs from a simulator to act like a till: read and change one count. */
export interface InStoreInventory {
  itemIds(): string[];
  locationIds(): string[];
  /** null when the item was never counted at that location. */
  quantity(item: string, location: string): number | null;
  /** Applies an in-store change the way the POS would (journal, webhooks). */
  adjust(item: string, location: string, delta: number): void;
}

export interface ActivityOptions {
  ratePerSecond: number;
  /** Share of events that are restocks rather than sales (default 0.2). */
  restockShare?: number;
}

export interface ActivityHandle {
  readonly options: Required<ActivityOptions>;
  events(): number;
  stop(): void;
}

/** In-store sales and restocks at a steady rate, so a demo shows stock moving on its own. */
export function startActivity(inventory: InStoreInventory, random: Random, options: ActivityOptions): ActivityHandle {
  if (!(options.ratePerSecond > 0 && options.ratePerSecond <= 1000)) {
    throw new RangeError('ratePerSecond must be above 0 and at most 1000');
  }
  const resolved = { ratePerSecond: options.ratePerSecond, restockShare: options.restockShare ?? 0.2 };
  let count = 0;
  const tick = () => {
    const items = inventory.itemIds();
    const locations = inventory.locationIds();
    if (items.length === 0 || locations.length === 0) return;
    const item = items[Math.floor(random() * items.length)]!;
    const location = locations[Math.floor(random() * locations.length)]!;
    const onHand = inventory.quantity(item, location) ?? 0;
    const restock = random() < resolved.restockShare || onHand <= 0;
    const delta = restock ? randomInt(random, 5, 20) : -Math.min(onHand, randomInt(random, 1, 2));
    inventory.adjust(item, location, delta);
    count += 1;
  };
  const timer = setInterval(tick, Math.max(1, Math.round(1000 / resolved.ratePerSecond)));
  timer.unref();
  return { options: resolved, events: () => count, stop: () => clearInterval(timer) };
}
