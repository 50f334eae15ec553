import { JobError } from "./errors";
import { DUMP_NAME } from "./layout";
import { Manifest } from "./manifest";
import { formatBytes } from "./runtime";

/**
 * A backup can be whole and still useless: an empty database, an empty Chroma mount, a dump of
 * the wrong database, or one that silently lost most of its rows. Checksums cannot tell; these
 * checks compare the manifest with what a real backup looks like and with the one before it.
 */
export interface PlausibilityRules {
  /** Fewer table rows than this is an empty backup (BACKUP_MIN_ROWS, default 1). */
  minRows: number;
  /** Smaller than the previous complete backup by more than this percentage fails (BACKUP_MAX_SHRINK_PERCENT, default 50). */
  maxShrinkPercent: number;
  /** Older than this many seconds fails (`--max-age`); unset, no freshness bound. */
  maxAgeSeconds?: number;
}

export function readPlausibility(env: NodeJS.ProcessEnv, flags: { "max-age"?: string; "max-shrink-percent"?: string } = {}): PlausibilityRules {
  const num = (name: string, v: string | undefined, dflt: number, max = Infinity) => {
    if (v === undefined || v.trim() === "") return dflt;
    if (!/^\d+$/.test(v.trim()) || Number(v) > max) throw new JobError(`${name} must be a whole number${max < Infinity ? ` <= ${max}` : ""}, got ${v}`);
    return Number(v);
  };
  return {
    minRows: num("BACKUP_MIN_ROWS", env.BACKUP_MIN_ROWS, 1),
    maxShrinkPercent: num("--max-shrink-percent", flags["max-shrink-percent"] ?? env.BACKUP_MAX_SHRINK_PERCENT, 50, 100),
    maxAgeSeconds: flags["max-age"] === undefined ? undefined : parseDuration(flags["max-age"]),
  };
}

/** `26h`, `2d`, `90m` -> seconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+)([mhd])$/.exec(v.trim());
  if (!m) throw new JobError(`--max-age must be a duration like 26h, 2d or 90m, got ${JSON.stringify(v)}`);
  return Number(m[1]) * { m: 60, h: 3600, d: 86400 }[m[2] as "m" | "h" | "d"];
}

const totalRows = (m: Manifest) => (m.postgres.tables ?? []).reduce((n, t) => n + t.rows, 0);
const dumpSize = (m: Manifest) => m.objects.find((o) => o.name === DUMP_NAME)?.size ?? 0;

/** Every reason the backup is implausible, each naming the bound it broke; [] when it is fine. */
export function implausible(m: Manifest, previous: Manifest | undefined, rules: PlausibilityRules, now: Date): string[] {
  const why: string[] = [];
  if (m.postgres.tables) {
    const rows = totalRows(m);
    if (m.postgres.tables.length === 0) why.push(`database ${m.postgres.database} has no tables (empty database, or the wrong DATABASE_URL?)`);
    else if (rows < rules.minRows) why.push(`its ${m.postgres.tables.length} tables hold ${rows} rows, fewer than BACKUP_MIN_ROWS=${rules.minRows}`);
  }
  if (m.chroma && m.chroma.sqliteFiles.length === 0) why.push(`its Chroma snapshot of ${m.chroma.sourceDir} holds no SQLite database (volume not mounted?)`);
  if (previous) {
    const floor = 1 - rules.maxShrinkPercent / 100;
    const [prevRows, rows] = [totalRows(previous), totalRows(m)];
    if (previous.postgres.tables && m.postgres.tables && rows < prevRows * floor) {
      why.push(
        `${rows} rows against ${prevRows} in ${previous.id ?? previous.timestamp} (more than ${rules.maxShrinkPercent}% fewer; BACKUP_MAX_SHRINK_PERCENT)`,
      );
    }
    if (dumpSize(m) < dumpSize(previous) * floor) {
      why.push(
        `${DUMP_NAME} is ${formatBytes(dumpSize(m))} against ${formatBytes(dumpSize(previous))} in ${previous.id ?? previous.timestamp} (more than ${rules.maxShrinkPercent}% smaller; BACKUP_MAX_SHRINK_PERCENT)`,
      );
    }
    if (previous.postgres.database !== m.postgres.database) {
      why.push(`it is of database ${m.postgres.database}, the previous backup of ${previous.postgres.database}`);
    } else if (previous.postgres.tables?.length && m.postgres.tables?.length) {
      const names = new Set(previous.postgres.tables.map((t) => t.name));
      if (!m.postgres.tables.some((t) => names.has(t.name))) why.push(`it shares no table with ${previous.id ?? previous.timestamp} (someone else's data?)`);
    }
  }
  if (rules.maxAgeSeconds !== undefined) {
    const age = (now.getTime() - Date.parse(m.finishedAt)) / 1000;
    if (age > rules.maxAgeSeconds) why.push(`it is ${(age / 3600).toFixed(1)}h old, more than --max-age ${(rules.maxAgeSeconds / 3600).toFixed(1)}h`);
  }
  return why;
}
