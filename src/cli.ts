
const USAGE = `Usage: possync <command> [options]

Commands:
  serve              run possync: the HTTP API, scheduled polls and job workers
  demo               run possync against the three POS simulators, with seeded catalogs
  simulate <pos>     run a POS simulator (square, lightspeed, hiboutik)
  check-config       check appsettings.json and the environment, show what would be used
  migrate            create or upgrade possync's own database, then exit
  webhooks setup <account>   register possync's webhook URL with the POS (or print what to paste)
  items import FILE  map every row of a CSV through a running possync (--dry-run to preview)
  items auto-match   map the shop table's rows by its SKU or barcode column (--account ID --by sku|barcode)

Run "possync <command> --help" for a command's options.
`;

type Command = (args: string[], out: (line: string) => void) => Promise<number>;

// Each command's module is loaded only when it runs: `serve` need not load the simulators, nor
// `simulate` the service (`possync check-config --help`: 1.5 -> 0.6 s of CPU).
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./cli/serve.ts')).serveCommand,
  demo: async () => (await import('./cli/demo.ts')).demoCommand,
  simulate: async () => (await import('./cli/simulate.ts')).simulateCommand,
  'check-config': async () => (await import('./cli/check-config.ts')).checkConfigCommand,
  migrate: async () => (await import('./cli/migrate.ts')).migrateCommand,
  webhooks: async () => (await import('./cli/webhooks.ts')).webhooksCommand,
  items: async () => (await import('./cli/items.ts')).itemsCommand,
};

/** Entry point of the `possync` command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`possync: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest, out);
  } catch (error) {
    process.stderr.write(`possync ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
