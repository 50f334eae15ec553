import { randomBytes } from "crypto";
import { parseArgs } from "util";
import { Run } from "../bounds";
import { readJobEnv } from "../env";
import { JobError, oneLine } from "../errors";
import { formatTimestamp, parseFrom } from "../layout";
import { DrillMetrics, putDrillMetrics } from "../metrics";
import { PgTools } from "../pg";
import { Runtime } from "../runtime";
import { restoreCommand } from "./restore";

/**
 * `drill [--from <id>|latest] [--max-age 26h]`: the scheduled proof that backups restore. Creates
 * a scratch database `drill_<timestamp>_<run id>` on the server DRILL_ADMIN_URL points at (or
 * DB_MASTER_SECRET + PGHOST in the task), restores the backup into it exactly as `restore` does
 * (verify first, then pg_restore, then every table's row count against the manifest), times it,
 * and drops the scratch database whatever happened. It reports RestoreDrillSuccess and
 * RestoreDrillSeconds to CloudWatch (DRILL_METRIC_NAMESPACE), and checks in with Sentry's
 * `<slug>-drill` monitor like the other commands.
 */
export async function drillCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime, run: Run): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { from: { type: "string" }, "max-age": { type: "string" } }, strict: true, allowPositionals: false });
  const from = parseFrom(values.from, false);
  const cfg = readJobEnv(env, "drill");
  const admin = drillAdminUrl(env);
  const metrics = drillMetrics(env);
  const pg = new PgTools(cfg.pgBinDir, run.signal);
  const scratch = `drill_${formatTimestamp(rt.now()).toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const started = Date.now();
  let ok = false;
  let id: string = from;
  try {
    await run.step(`creating scratch database ${scratch}`, () => pg.queryRow(admin, `create database "${scratch}"`, `creating scratch database ${scratch}`));
    try {
      const target = withDatabase(admin, scratch);
      id = await restoreCommand(["--from", from, "--database-url", target, ...(values["max-age"] ? ["--max-age", values["max-age"]] : [])], env, rt, run);
      ok = true;
    } finally {
      // Not run.step: after a deadline or SIGTERM the scratch database must still go.
      await pg.cleanup(admin, `drop database if exists "${scratch}" with (force)`).then(
        () => rt.out(`drill: dropped ${scratch}`),
        (e) => rt.err(`drill: could not drop ${scratch} (${oneLine(e)}); drop it by hand`),
      );
    }
  } finally {
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if (ok) rt.out(`drill: backup ${id} restored into ${scratch} and matched its manifest in ${seconds}s`);
    if (metrics) {
      await putDrillMetrics(metrics, cfg, ok, seconds, rt.now(), AbortSignal.timeout(20_000)).then(
        () => rt.out(`drill: reported ${ok ? "success" : "failure"} to CloudWatch ${metrics.namespace}`),
        (e) => rt.err(`drill: could not report to CloudWatch ${metrics.namespace} (${oneLine(e)}); the no-drill alarm will fire`),
      );
    }
  }
}

/** The maintenance-database URL of a role that may CREATE DATABASE. */
export function drillAdminUrl(env: NodeJS.ProcessEnv): string {
  const url = env.DRILL_ADMIN_URL?.trim();
  if (url) return url;
  const secret = env.DB_MASTER_SECRET?.trim();
  const host = env.PGHOST?.trim();
  if (!secret || !host)
    throw new JobError("missing environment variable: DRILL_ADMIN_URL (or DB_MASTER_SECRET and PGHOST): the drill needs a role that may create databases");
  let creds: { username?: string; password?: string };
  try {
    creds = JSON.parse(secret);
  } catch {
    throw new JobError('DB_MASTER_SECRET is not JSON (expected RDS\'s {"username","password"})');
  }
  if (!creds.username || !creds.password) throw new JobError('DB_MASTER_SECRET has no username/password (expected RDS\'s {"username","password"})');
  const u = new URL(`postgresql://${host}:${env.PGPORT?.trim() || "5432"}/postgres`);
  u.username = encodeURIComponent(creds.username);
  u.password = encodeURIComponent(creds.password);
  // psql and pg_restore read PGSSLMODE/PGSSLROOTCERT themselves; the row counts' client (node-postgres) only from the URL.
  if (env.PGSSLMODE?.trim()) u.searchParams.set("sslmode", env.PGSSLMODE.trim());
  if (env.PGSSLROOTCERT?.trim()) u.searchParams.set("sslrootcert", env.PGSSLROOTCERT.trim());
  return u.toString();
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

function drillMetrics(env: NodeJS.ProcessEnv): DrillMetrics | undefined {
  const namespace = env.DRILL_METRIC_NAMESPACE?.trim();
  const stack = env.DRILL_METRIC_STACK?.trim();
  if (!!namespace !== !!stack) throw new JobError("DRILL_METRIC_NAMESPACE and DRILL_METRIC_STACK go together");
  return namespace && stack ? { namespace, stack, endpoint: env.CLOUDWATCH_ENDPOINT?.trim() || undefined } : undefined;
}
