import type { SqlQueryable } from './sql.ts';

/**
 * Small persistent settings (rule 8: schedules and the running flag survive restarts). Each key
 * has one value type, declared here; other modules may add keys by declaration merging.
 */
export interface Settings {
  /** Whether the synchronizer polls on its schedule. */
  'synchronizer.running': boolean;
  /** The polling schedule as last set at run time (Hangfire 5-field cron, IANA zone). */
  'synchronizer.schedule': { cron: string; timeZone: string };
}

export type SettingKey = keyof Settings;

export async function getSetting<K extends SettingKey>(sql: SqlQueryable, key: K): Promise<Settings[K] | null> {
  const { rows } = await sql.query<{ value: Settings[K] }>('select value from settings where key = $1', [key]);
  return rows[0] ? rows[0].value : null;
}

export async function setSetting<K extends SettingKey>(sql: SqlQueryable, key: K, value: Settings[K]): Promise<void> {
  // JSON text with an explicit cast: both drivers would otherwise guess how to encode a bare boolean.
  await sql.query(
    `insert into settings (key, value) values ($1, $2::jsonb)
     on conflict (key) do update set value = excluded.value, updated_at = now()
     where settings.value is distinct from excluded.value`,
    [key, JSON.stringify(value)],
  );
}

export async function deleteSetting(sql: SqlQueryable, key: SettingKey): Promise<void> {
  await sql.query('delete from settings where key = $1', [key]);
}
