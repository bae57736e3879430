import type { SqlClient, SqlQueryable } from '../../core/sql.ts';
import { moveSale, releaseReservation, type SaleRow } from '../../core/sales/ledger.ts';
import type { JobsPort } from '../jobs-port.ts';
import { EngineInputError, type KeptPartView } from '../ports.ts';

/**
 * An operator's cancel or retry of a split sale by its id (issue 12): the shop cancels an order,
 * not a part, so every part is acted on. A part already on its POS cannot be taken back from
 * here; it is named (with why) rather than failing the whole cancel, so the units of the parts
 * the POS does not have are released at once.
 */

/** Why this part cannot be cancelled now, or null when it can. */
function keptBecause(part: SaleRow, removedFromPos: boolean): string | null {
  switch (part.state) {
    case 'accepted':
    case 'failed':
      return null;
    case 'incomplete':
      return removedFromPos
        ? null
        : `incomplete: account ${part.account_id} holds it as ${part.pos_reference ?? '(unknown)'}; finish it there and retry, or delete it there and cancel with removed_from_pos: true`;
    case 'posted':
      return `already posted to account ${part.account_id} as ${part.pos_reference ?? '(unknown)'}: undo it on that POS (a refund or return)`;
    case 'dispatching':
      return `being posted to account ${part.account_id} now; look again once it is posted or failed`;
    case 'cancelled':
      return null;
  }
}

const kept = (part: SaleRow, why: string): KeptPartView => ({ saleId: part.id, state: part.state, accountId: part.account_id, posReference: part.pos_reference, why });

function nothingDone(saleId: string, verb: string, parts: readonly KeptPartView[]): EngineInputError {
  const named = parts.map((p) => `${p.saleId} (${p.why})`).join('; ');
  return new EngineInputError('id', `sale ${saleId} is split; no part could be ${verb}${named ? `: ${named}` : ' (every part already is)'}`, 409, { notCancelled: parts });
}

/**
 * Cancels every part of a split sale that its POS does not have, releasing each one's reservation
 * on its own source, in one transaction. Returns the accounts whose reservations were released and
 * the parts left alone; 409 when no part could be cancelled.
 */
export async function cancelSplitSale(
  core: { sql: Pick<SqlClient, 'transaction'> },
  parts: readonly SaleRow[],
  reason: string,
  removedFromPos: boolean,
): Promise<{ accounts: string[]; notCancelled: KeptPartView[] }> {
  const saleId = parts[0]!.id;
  return core.sql.transaction(async (tx) => {
    const accounts = new Set<string>();
    const notCancelled: KeptPartView[] = [];
    for (const part of parts) {
      if (part.state === 'cancelled') continue;
      const why = keptBecause(part, removedFromPos);
      if (why !== null) {
        notCancelled.push(kept(part, why));
        continue;
      }
      const removed = part.state === 'incomplete' ? `; the operator says sale ${part.pos_reference ?? ''} was removed from the POS` : '';
      const ofSale = part.id === saleId ? '' : ` (with its sale ${saleId})`;
      const moved = await moveSale(tx, part.id, { from: [part.state], to: 'cancelled', reason: `cancelled: ${reason}${removed}${ofSale}` });
      if (!moved) {
        const now = await currentState(tx, part);
        notCancelled.push(kept(now, keptBecause(now, false) ?? 'changed state meanwhile; look again'));
        continue;
      }
      await releaseReservation(tx, moved.ecommerce_id, moved.id, moved.account_id);
      accounts.add(moved.account_id);
    }
    if (accounts.size === 0) throw nothingDone(saleId, 'cancelled', notCancelled);
    return { accounts: [...accounts], notCancelled };
  });
}

/** Puts every failed or incomplete part of a split sale back to its account's dispatcher; 409 when there is none. */
export async function retrySplitSale(core: { sql: Pick<SqlClient, 'transaction'> }, jobs: JobsPort, parts: readonly SaleRow[], reason: string): Promise<void> {
  const saleId = parts[0]!.id;
  await core.sql.transaction(async (tx) => {
    const accounts = new Set<string>();
    for (const part of parts) {
      if (part.state !== 'failed' && part.state !== 'incomplete') continue;
      const ofSale = part.id === saleId ? '' : ` (with its sale ${saleId})`;
      const moved = await moveSale(tx, part.id, { from: [part.state], to: 'dispatching', reason: `${reason}${ofSale}` });
      if (moved) accounts.add(moved.account_id);
    }
    if (accounts.size === 0) {
      const states = parts.map((p) => `${p.id} is ${p.state}`).join(', ');
      throw new EngineInputError('id', `sale ${saleId} is split and no part is failed or incomplete (${states}); nothing to retry`, 409);
    }
    for (const account of accounts) await jobs.queueDispatch(account, tx);
  });
}

async function currentState(sql: SqlQueryable, part: SaleRow): Promise<SaleRow> {
  const { rows } = await sql.query<{ state: SaleRow['state']; pos_reference: string | null }>('select state, pos_reference from sales where id = $1', [part.id]);
  return { ...part, ...rows[0] };
}
