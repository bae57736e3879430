import type { AccountConfig } from '../pos/accounts.ts';
import type { PosAdapter } from '../pos/contract.ts';

/** One configured account with its live adapter. */
export interface AccountHandle {
  config: AccountConfig;
  adapter: PosAdapter;
}

/** The accounts of this process, by id, in config order. */
export class AccountSet {
  private readonly byId: Map<string, AccountHandle>;

  constructor(handles: readonly AccountHandle[]) {
    this.byId = new Map(handles.map((h) => [h.config.id, h]));
  }

  get(accountId: string): AccountHandle | undefined {
    return this.byId.get(accountId);
  }

  all(): AccountHandle[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}
