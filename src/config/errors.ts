/** Bad configuration: every problem found in one pass, each naming its path (rule 10). */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly warnings: string[] = [],
    readonly source: string | null = null,
  ) {
    super(
      `invalid configuration${source ? ` in ${source}` : ''}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
