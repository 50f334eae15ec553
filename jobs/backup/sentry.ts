import { randomUUID } from "crypto";

export type CheckInStatus = "in_progress" | "ok" | "error";

/** Sentry's monitor_config: sent with the first check-in, it creates or updates the monitor. */
export interface MonitorConfig {
  schedule: { type: "crontab"; value: string } | { type: "interval"; value: number; unit: "minute" | "hour" | "day" };
  timezone: string;
  /** Minutes a check-in may be late before Sentry reports a missed run. */
  checkin_margin: number;
  /** Minutes a run may take before Sentry reports it as timed out. */
  max_runtime: number;
}

/**
 * Sentry cron check-ins over plain HTTP (no SDK): a missed or failed nightly backup raises a
 * Sentry alert. Monitoring must never fail the backup, so every problem here is one log line.
 */
export class CronMonitor {
  private readonly checkInId = randomUUID();
  private readonly started = Date.now();

  constructor(
    private readonly url: string | undefined,
    private readonly log: (line: string) => void,
    private readonly config?: MonitorConfig,
    /** SENTRY_ENVIRONMENT: the monitor's environment, so a stack's check-ins are its own. */
    private readonly environment?: string,
  ) {}

  static fromDsn(dsn: string, monitorSlug: string, log: (line: string) => void, config?: MonitorConfig, environment?: string): CronMonitor {
    try {
      return new CronMonitor(checkInUrl(dsn, monitorSlug), log, config, environment);
    } catch (err) {
      log(`sentry check-in disabled: ${(err as Error).message}`);
      return new CronMonitor(undefined, log);
    }
  }

  async checkIn(status: CheckInStatus): Promise<void> {
    if (!this.url) return;
    // Everything goes in the JSON body: with a JSON body Sentry reads neither `status` nor
    // `check_in_id` from the query string. The same id on start and end pairs them even if runs overlap.
    const body: Record<string, unknown> = { check_in_id: this.checkInId, status };
    if (status !== "in_progress") body.duration = (Date.now() - this.started) / 1000;
    if (this.environment) body.environment = this.environment;
    // The first check-in carries the monitor's schedule, so Sentry creates the monitor itself (an
    // upsert: the Pulumi provider has no monitor resource) and keeps it in step with the stack's config.
    if (status === "in_progress" && this.config) body.monitor_config = this.config;
    try {
      const res = await fetch(this.url, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) this.log(`sentry check-in ${status} failed: HTTP ${res.status}`);
    } catch (err) {
      this.log(`sentry check-in ${status} failed: ${(err as Error).message}`);
    }
  }
}

/** DSN `https://<key>@<host>[/<path>]/<project>` -> `https://<host>[/<path>]/api/<project>/cron/<slug>/<key>/`. */
export function checkInUrl(dsn: string, monitorSlug: string): string {
  const d = new URL(dsn);
  const segments = d.pathname.split("/").filter(Boolean);
  const project = segments.pop();
  if (!d.username || !project) throw new Error("SENTRY_DSN is not a DSN (expected https://<key>@<host>/<project>)");
  const base = segments.length ? `/${segments.join("/")}` : "";
  return `${d.protocol}//${d.host}${base}/api/${project}/cron/${encodeURIComponent(monitorSlug)}/${d.username}/`;
}
