/**
 * A closed-loop HTTP load generator, run as its own process so it never shares the server's event
 * loop: `connections` workers each send a request, wait for the answer, and send the next, for
 * `seconds`. Prints one JSON line: requests, per-status counts, rate, p50/p99 latency.
 * Usage: node --import tsx bench/load-client.ts URL SECONDS CONNECTIONS BODY_JSON [KEY_PREFIX]
 */
import { Agent, request } from 'node:http';

const [url, secondsText, connectionsText, bodyText, keyPrefix] = process.argv.slice(2);
if (!url || !secondsText || !connectionsText || !bodyText) throw new Error('usage: URL SECONDS CONNECTIONS BODY_JSON [KEY_PREFIX]');
const seconds = Number(secondsText);
const connections = Number(connectionsText);
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let sequence = 0;
const deadline = performance.now() + seconds * 1000;

async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    const n = sequence++;
    const started = performance.now();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (keyPrefix) headers['idempotency-key'] = `${keyPrefix}-${n}`;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(target, { method: 'POST', headers, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(bodyText);
    });
    latencies.push(performance.now() - started);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

const began = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
const elapsed = (performance.now() - began) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(JSON.stringify({ requests: latencies.length, statuses, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) }));
agent.destroy();
