/** Request counters per endpoint ("METHOD /route/pattern") and per answered status. */
export interface EndpointStats {
  requests: number;
  statuses: Record<string, number>;
}

export interface StatsSnapshot {
  totalRequests: number;
  endpoints: Record<string, EndpointStats>;
  faultsInjected: Record<string, number>;
}

export class Stats {
  private endpoints = new Map<string, EndpointStats>();
  private faults = new Map<string, number>();
  private total = 0;

  request(endpoint: string): void {
    this.total += 1;
    this.entry(endpoint).requests += 1;
  }

  status(endpoint: string, status: number | 'reset' | 'hung'): void {
    const statuses = this.entry(endpoint).statuses;
    const key = String(status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }

  fault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  requestsTo(endpoint: string): number {
    return this.endpoints.get(endpoint)?.requests ?? 0;
  }

  snapshot(): StatsSnapshot {
    return {
      totalRequests: this.total,
      endpoints: Object.fromEntries([...this.endpoints].map(([k, v]) => [k, { requests: v.requests, statuses: { ...v.statuses } }])),
      faultsInjected: Object.fromEntries(this.faults),
    };
  }

  clear(): void {
    this.endpoints.clear();
    this.faults.clear();
    this.total = 0;
  }

  private entry(endpoint: string): EndpointStats {
    let entry = this.endpoints.get(endpoint);
    if (!entry) {
      entry = { requests: 0, statuses: {} };
      this.endpoints.set(endpoint, entry);
    }
    return entry;
  }
}
