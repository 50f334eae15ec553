import { JobError } from "./errors";
import type { MonitorConfig } from "./sentry";

/** The job's environment contract (see README.md), validated once before any work starts. */
export interface JobEnv {
  bucket: string;
  /** Without leading or trailing slashes; keys are `<prefix>/<timestamp>/<object>`. */
  prefix: string;
  region: string;
  /** S3-compatible server (tests, MinIO): path-style addressing. */
  s3Endpoint?: string;
  kmsKeyId?: string;
  pgBinDir?: string;
  /** Keys given in the environment passed to main(); otherwise the SDK's default chain (the ECS task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  debug: boolean;
  /** Sentry cron check-ins of this command (backup, verify and restore each have their monitor). */
  sentry?: { dsn: string; monitorSlug: string; monitorConfig?: MonitorConfig; environment?: string };
}

export interface BackupEnv extends JobEnv {
  databaseUrl: string;
  chromaDataDir?: string;
}

function opt(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function required(env: NodeJS.ProcessEnv, names: string[]): void {
  const missing = names.filter((n) => !opt(env, n));
  if (missing.length > 0) {
    throw new JobError(`missing environment variable${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  }
}

/** What every command needs: where the backups live; `command` picks the Sentry monitor. */
export function readJobEnv(env: NodeJS.ProcessEnv, command = "backup"): JobEnv {
  required(env, ["BACKUP_BUCKET", "BACKUP_PREFIX", "AWS_REGION"]);
  const prefix = opt(env, "BACKUP_PREFIX")!.replace(/^\/+|\/+$/g, "");
  if (!prefix) throw new JobError("BACKUP_PREFIX must name a folder, e.g. chatbot-prod");
  const s3Endpoint = opt(env, "S3_ENDPOINT");
  if (s3Endpoint && !/^https?:\/\/[^/]+/.test(s3Endpoint)) {
    throw new JobError(`S3_ENDPOINT must be an http(s) URL, got ${JSON.stringify(s3Endpoint)}`);
  }
  return {
    bucket: opt(env, "BACKUP_BUCKET")!,
    prefix,
    region: opt(env, "AWS_REGION")!,
    s3Endpoint,
    kmsKeyId: opt(env, "BACKUP_KMS_KEY_ID"),
    pgBinDir: opt(env, "PG_BIN_DIR"),
    credentials: staticCredentials(env),
    debug: !!opt(env, "DEBUG"),
    sentry: readSentry(env, command),
  };
}

/**
 * SENTRY_MONITOR_SLUG names the backup's monitor; verify and restore check in to
 * `<slug>-verify` / `<slug>-restore`, so a weekly verify never reads as a missed nightly backup.
 * Their schedules (which create the monitors) come from SENTRY_<COMMAND>_MONITOR_SCHEDULE.
 */
function readSentry(env: NodeJS.ProcessEnv, command: string): JobEnv["sentry"] {
  const dsn = opt(env, "SENTRY_DSN");
  const slug = opt(env, "SENTRY_MONITOR_SLUG");
  // Half a Sentry config is a deploy mistake worth stopping for: the alarm would silently never fire.
  if (!!dsn !== !!slug) {
    throw new JobError(`missing environment variable: ${dsn ? "SENTRY_MONITOR_SLUG" : "SENTRY_DSN"} (SENTRY_DSN and SENTRY_MONITOR_SLUG go together)`);
  }
  if (!dsn || !slug) return undefined;
  const own = command === "backup";
  const schedule = own ? "SENTRY_MONITOR_SCHEDULE" : `SENTRY_${command.toUpperCase()}_MONITOR_SCHEDULE`;
  return { dsn, monitorSlug: own ? slug : `${slug}-${command}`, monitorConfig: monitorConfig(env, schedule), environment: opt(env, "SENTRY_ENVIRONMENT") };
}

/** The `backup` command also needs the database, and optionally Chroma and Sentry. */
export function readBackupEnv(env: NodeJS.ProcessEnv): BackupEnv {
  required(env, ["DATABASE_URL", "BACKUP_BUCKET", "BACKUP_PREFIX", "AWS_REGION"]);
  return { ...readJobEnv(env, "backup"), databaseUrl: opt(env, "DATABASE_URL")!, chromaDataDir: opt(env, "CHROMA_DATA_DIR") };
}

/** A schedule (crontab, e.g. `0 2 * * *`) turns on the monitor upsert; the rest have defaults. */
function monitorConfig(env: NodeJS.ProcessEnv, scheduleVar: string): MonitorConfig | undefined {
  const schedule = opt(env, scheduleVar);
  if (!schedule) return undefined;
  if (!/^(\S+\s+){4}\S+$/.test(schedule)) throw new JobError(`${scheduleVar} is not a 5-field crontab: ${schedule}`);
  const minutes = (name: string, dflt: number) => {
    const v = opt(env, name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new JobError(`${name} must be a whole number of minutes >= 1, got ${v}`);
    return Number(v);
  };
  return {
    schedule: { type: "crontab", value: schedule },
    timezone: opt(env, "SENTRY_MONITOR_TIMEZONE") ?? "UTC",
    checkin_margin: minutes("SENTRY_MONITOR_MARGIN_MINUTES", 30),
    max_runtime: minutes("SENTRY_MONITOR_MAX_RUNTIME_MINUTES", 120),
  };
}

function staticCredentials(env: NodeJS.ProcessEnv): JobEnv["credentials"] {
  const accessKeyId = opt(env, "AWS_ACCESS_KEY_ID");
  const secretAccessKey = opt(env, "AWS_SECRET_ACCESS_KEY");
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: opt(env, "AWS_SESSION_TOKEN") };
}
