export { CONFIG_FILE_ENV, TOP_LEVEL_KEYS, loadConfig, parseConfig, type ConfigOverride, type LoadOptions } from './load.ts';
export { ConfigError } from './errors.ts';
export { describeConfig } from './describe.ts';
export { maskSecret } from './mask.ts';
export { CRON_OPTIONS, canonicalTimeZone, cronProblem } from './schedule.ts';
export { DEFAULTS } from './defaults.ts';
export { ENV_PREFIX } from './tree.ts';
export * from './types.ts';
