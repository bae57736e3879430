import { checkConfigCommand } from './cli/check-config.ts';
import { demoCommand } from './cli/demo.ts';
import { migrateCommand } from './cli/migrate.ts';
import { serveCommand } from './cli/serve.ts';
import { simulateCommand } from './cli/simulate.ts';
import { webhooksCommand } from './cli/webhooks.ts';
import { itemsCommand } from './cli/items.ts';

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

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  demo: demoCommand,
  simulate: simulateCommand,
  'check-config': checkConfigCommand,
  migrate: migrateCommand,
  webhooks: webhooksCommand,
  items: itemsCommand,
};

/** Entry point of the `possync` command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`possync: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, out);
  } catch (error) {
    process.stderr.write(`possync ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
