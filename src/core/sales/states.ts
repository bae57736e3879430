/** Every state a sale can be in, written once: the engine, the API schemas and the SQL use these. */
export const SALE_STATES = ['accepted', 'dispatching', 'posted', 'failed', 'incomplete', 'cancelled'] as const;
export type SaleState = (typeof SALE_STATES)[number];

/**
 * The sale ledger's state machine, written once. Every change of state goes through
 * `assertTransition`, and the SQL that moves a sale also checks the state it moves from, so a
 * concurrent cancel and dispatch cannot both win.
 */
export const SALE_TRANSITIONS: Readonly<Record<SaleState, readonly SaleState[]>> = {
  accepted: ['dispatching', 'cancelled'],
  // dispatching → dispatching: another attempt after an interruption or a retryable error.
  dispatching: ['dispatching', 'posted', 'failed', 'incomplete'],
  failed: ['dispatching', 'cancelled'],
  // The POS holds part of the sale (its lines, an open sale with our reference) but refused to
  // finish it. Only an operator moves it on: a retry resumes where the POS stands; a cancel is
  // allowed only once they say the POS no longer holds it (SalesService.cancel).
  incomplete: ['dispatching', 'cancelled'],
  posted: [],
  cancelled: [],
};

/**
 * States whose units are still held back from the shop: the POS does not have the sale yet, or
 * (incomplete) has part of it and may or may not have moved its stock yet (Hiboutik takes stock at
 * add_product or at close, unconfirmed). Holding them can only under-state, never oversell.
 */
export const RESERVING_STATES: readonly SaleState[] = ['accepted', 'dispatching', 'failed', 'incomplete'];

/** States the dispatcher still has to post (the `sales_pending` index covers these). */
export const PENDING_STATES: readonly SaleState[] = ['accepted', 'dispatching'];

/** `('accepted', 'dispatching')`: a state list for SQL, from the constants above only. */
export function sqlStates(states: readonly SaleState[]): string {
  return `(${states.map((state) => `'${state}'`).join(', ')})`;
}

export function canMove(from: SaleState, to: SaleState): boolean {
  return SALE_TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly saleId: string,
    readonly from: SaleState,
    readonly to: SaleState,
  ) {
    super(`sale ${saleId} is ${from}; it cannot become ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(saleId: string, from: SaleState, to: SaleState): void {
  if (!canMove(from, to)) throw new IllegalTransitionError(saleId, from, to);
}
