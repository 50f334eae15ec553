import { randomUUID } from "crypto";

export type CheckInStatus = "in_progress" | "ok" | "error";

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
  ) {}

  static fromDsn(dsn: string, monitorSlug: string, log: (line: string) => void): CronMonitor {
    try {
      return new CronMonitor(checkInUrl(dsn, monitorSlug), log);
    } catch (err) {
      log(`sentry check-in disabled: ${(err as Error).message}`);
      return new CronMonitor(undefined, log);
    }
  }

  async checkIn(status: CheckInStatus): Promise<void> {
    if (!this.url) return;
    const u = new URL(this.url);
    u.searchParams.set("status", status);
    // The same id on start and end pairs them even if runs overlap.
    u.searchParams.set("check_in_id", this.checkInId);
    if (status !== "in_progress") u.searchParams.set("duration", String((Date.now() - this.started) / 1000));
    try {
      const res = await fetch(u, { method: "POST", signal: AbortSignal.timeout(10_000) });
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
