/** Pieces the benchmarks share: the load client in its own process, and simulators in theirs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

export interface LoadResult {
  requests: number;
  statuses: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Runs bench/load-client.ts against `url` and returns what it measured. */
export function load(url: string, body: unknown, keyPrefix: string, seconds: number, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, url, String(seconds), String(connections), JSON.stringify(body), keyPrefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited ${code}`))));
  });
}

/** Starts a simulators script (bench/*-simulators.ts) and waits for its line of environment overrides. */
export async function simulatorsProcess(script: URL): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(script)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const env = await new Promise<Record<string, string>>((resolve) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Record<string, string>);
    });
  });
  return { child, env };
}
