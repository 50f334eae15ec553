import { toCrontab } from "./crontab";

/** The stack's bounds on every backup-job command (infra/config/keys/backup.ts), as the job reads them. */
export interface BackupBounds {
  /** Whole-run deadline of any command (BACKUP_DEADLINE_SECONDS). */
  deadlineMinutes: number;
  /** `--max-age` of the scheduled verify and drill. */
  verifyMaxAgeHours: number;
  /** Plausibility: fewest rows in total (BACKUP_MIN_ROWS), largest shrink against the previous backup (BACKUP_MAX_SHRINK_PERCENT). */
  minRows: number;
  maxShrinkPercent: number;
}

/** Sentry reports a run as timed out this long after our own deadline has already failed it with a line saying why. */
const SENTRY_MARGIN_MINUTES = 10;

export function boundsEnvironment(b: BackupBounds): Record<string, string> {
  return { BACKUP_DEADLINE_SECONDS: String(b.deadlineMinutes * 60), BACKUP_MIN_ROWS: String(b.minRows), BACKUP_MAX_SHRINK_PERCENT: String(b.maxShrinkPercent) };
}

/**
 * Lets each command's first check-in create its Sentry cron monitor with the schedule that runs
 * it (no provider resource exists): `SENTRY_<COMMAND>_MONITOR_SCHEDULE`, `SENTRY_MONITOR_SCHEDULE`
 * for the backup itself.
 */
export function monitorEnvironment(
  schedules: Record<"backup" | "verify" | "drill", string | undefined>,
  timezone: string,
  b: BackupBounds,
): Record<string, string> {
  const out: Record<string, string> = {
    SENTRY_MONITOR_TIMEZONE: timezone,
    SENTRY_MONITOR_MAX_RUNTIME_MINUTES: String(b.deadlineMinutes + SENTRY_MARGIN_MINUTES),
  };
  for (const [command, expression] of Object.entries(schedules)) {
    const crontab = expression ? toCrontab(expression) : undefined;
    if (crontab) out[command === "backup" ? "SENTRY_MONITOR_SCHEDULE" : `SENTRY_${command.toUpperCase()}_MONITOR_SCHEDULE`] = crontab;
  }
  return out;
}

/** The `--max-age` flag of the scheduled verify and drill. */
export function maxAgeArgs(b: BackupBounds): string[] {
  return ["--max-age", `${b.verifyMaxAgeHours}h`];
}
