import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { README_CONFIG, startSimulators, type Simulators, type SimulatorSwitches } from './readme-setup.ts';

/** `possync serve` as a user runs it, in a child process the test can SIGKILL. */
const BIN = fileURLToPath(new URL('../../bin/possync.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: string[];
}

/**
 * Jobs.* at the loader's lower bounds, for tests that kill an instance: on PostgreSQL the survivor
 * or the restart takes the dead one's jobs (heartbeat) and dispatch (lease) over in seconds, by
 * the same path as with the defaults (on PGlite the restart frees both at once anyway).
 */
export const QUICK_RECOVERY: Record<string, string> = { POSSYNC__Jobs__HeartbeatSeconds: '10', POSSYNC__Jobs__DispatchLeaseSeconds: '5' };

/** The node flags bin/possync.js's first line gives, so a spawned service runs as `npx possync` does. */
const SHEBANG_FLAGS = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(BIN, 'utf8').split('\n')[0] ?? '')?.[1] ?? '').trim().split(/\s+/).filter(Boolean);

/**
 * V8 compiles PGlite's 8.7 MB of WebAssembly with its baseline compiler, then its optimising one in
 * background threads: ~2 of the ~5 s of CPU a start costs, and a loss for the short-lived services
 * tests start (kill-matrix-embedded: 44 -> 31 CPU-s, the sales soak 64 -> 52). Tests pass
 * `--liftoff-only` (baseline only): the same code, compiled less; production keeps V8's default.
 */
export const TEST_V8_FLAGS = ['--liftoff-only'];

export async function serve(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...TEST_V8_FLAGS, ...SHEBANG_FLAGS, BIN, 'serve', '--config', README_CONFIG, '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /possync listening on (http:\/\/\S+)/.exec(output.join(''));
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`possync serve exited (${code ?? signal}) before listening:\n${output.join('')}`)));
  });
  return { child, url, output };
}

/** `possync ARGS` as a user runs it, to its exit: the exit code and everything it printed. */
export async function possyncCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stdout, stderr };
}

export async function kill(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGKILL');
  await exited;
}

export const json = async (response: Response): Promise<any> => {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
};

export const post = (url: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** A core for `possync serve` (a PGlite folder or a PostgreSQL database), as CORE_BACKENDS gives. */
export interface ServeBackend {
  /** Environment overrides that select the core (and sink) under test. */
  env: Record<string, string>;
  /** Extra `possync serve` arguments (e.g. --data-dir). */
  args: string[];
  cleanup(): Promise<void>;
}

export interface KillableService {
  sims: Simulators;
  /** The running instance: a new one after each restart. */
  server: ServerProcess;
  /** SIGKILL, then `possync serve` again on the same core. */
  restart(): Promise<void>;
}

/**
 * The simulators, a core and `possync serve` on it, for tests that kill it; all closed after the
 * test. Jobs.* are at their lower bounds (QUICK_RECOVERY): on PostgreSQL a restart waits out the
 * killed instance's heartbeat and dispatch lease as a second instance would, in seconds, not 90.
 */
export async function killableService(t: { after(fn: () => unknown): void }, backend: () => Promise<ServeBackend>, switches: SimulatorSwitches = {}): Promise<KillableService> {
  const sims = await startSimulators(switches);
  t.after(() => sims.close());
  const setup = await backend();
  t.after(() => setup.cleanup());
  const env = { ...sims.env, ...setup.env, ...QUICK_RECOVERY };
  const service: KillableService = {
    sims,
    server: await serve(env, setup.args),
    async restart() {
      await kill(service.server);
      service.server = await serve(env, setup.args);
    },
  };
  t.after(() => kill(service.server));
  return service;
}
