import * as http from "http";
import { AddressInfo } from "net";
import { checkInUrl } from "../../../jobs/backup/sentry";
import { FakeSentry } from "../../support/fakeSentry/server";
import { createBucket, createDatabase, jobEnv, runJob, seed } from "./helpers";

/** Sentry cron check-ins against the fake Sentry: the monitor is created, start and end are paired, and Sentry being down never fails a backup. */
describe("backup job Sentry check-ins", () => {
  const bucket = "bk-monitoring";
  let sourceUrl: string;
  let sentry: FakeSentry;
  let dsn: string;
  let projectId: string;

  beforeAll(async () => {
    await createBucket(bucket);
    sourceUrl = await createDatabase(`mon_src_${process.pid}`);
    await seed(sourceUrl);
    sentry = await new FakeSentry({}).start();
    const project = sentry.addProject({ organization: "chatbot", team: "platform", slug: "chatbot-staging-backup-job" });
    projectId = project.id;
    dsn = sentry.addKey(project, "chatbot-staging-backup-job");
  });

  afterAll(() => sentry.stop());
  beforeEach(() => {
    sentry.log.splice(0);
    sentry.monitors.splice(0);
    sentry.droppedCheckIns.splice(0);
  });

  const env = (extra: Record<string, string>) => jobEnv(bucket, "mon", { DATABASE_URL: sourceUrl, SENTRY_MONITOR_SLUG: "nightly-backup", ...extra });
  const bodies = () => sentry.log.map((r) => r.body as Record<string, unknown>);

  it("derives the check-in URL from the DSN, keeping a path prefix", () => {
    expect(checkInUrl("https://abc123@o42.ingest.sentry.io/4501", "db backup")).toBe("https://o42.ingest.sentry.io/api/4501/cron/db%20backup/abc123/");
    expect(checkInUrl("https://k@sentry.example.com/relay/7", "b")).toBe("https://sentry.example.com/relay/api/7/cron/b/k/");
    expect(() => checkInUrl("https://sentry.example.com/7", "b")).toThrow(/not a DSN/);
  });

  it("creates the monitor with its first check-in, then checks in in_progress and ok with one id, in JSON bodies", async () => {
    const r = await runJob(
      ["backup"],
      env({ SENTRY_DSN: dsn, SENTRY_MONITOR_SCHEDULE: "0 2 * * *", SENTRY_MONITOR_TIMEZONE: "Europe/Berlin", SENTRY_ENVIRONMENT: "staging" }),
      new Date("2025-03-05T02:00:00Z"),
    );
    expect(r.code).toBe(0);
    expect(sentry.log.map((h) => [h.method, h.path, h.status])).toEqual([
      ["POST", `/api/${projectId}/cron/nightly-backup/${new URL(dsn).username}/`, 202],
      ["POST", `/api/${projectId}/cron/nightly-backup/${new URL(dsn).username}/`, 202],
    ]);
    const [first, last] = bodies();
    expect(first).toEqual({
      check_in_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "in_progress",
      environment: "staging",
      monitor_config: { schedule: { type: "crontab", value: "0 2 * * *" }, timezone: "Europe/Berlin", checkin_margin: 30, max_runtime: 120 },
    });
    expect(last).toEqual({ check_in_id: first.check_in_id, status: "ok", duration: expect.any(Number), environment: "staging" });
    // What Sentry now holds: the monitor, with its schedule and both check-ins.
    expect(sentry.monitors).toEqual([
      {
        slug: "nightly-backup",
        projectId,
        config: first.monitor_config,
        checkIns: [
          { status: "in_progress", checkInId: first.check_in_id },
          { status: "ok", checkInId: first.check_in_id },
        ],
      },
    ]);
    expect(sentry.droppedCheckIns).toEqual([]);
  });

  it("without a schedule, check-ins of a monitor Sentry does not have are dropped, as Sentry drops them", async () => {
    const r = await runJob(["backup"], env({ SENTRY_DSN: dsn }), new Date("2025-03-01T02:00:00Z"));
    expect(r.code).toBe(0);
    expect(bodies().map((b) => b.status)).toEqual(["in_progress", "ok"]);
    expect(sentry.monitors).toEqual([]);
    expect(sentry.droppedCheckIns).toHaveLength(2);
  });

  it("the fake refuses the old shape: status in the query string and a JSON body without it", async () => {
    const url = `${checkInUrl(dsn, "nightly-backup")}?status=in_progress`;
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ monitor_config: { schedule: { type: "crontab", value: "0 2 * * *" } } }),
    });
    expect(res.status).toBe(400);
    expect(sentry.monitors).toEqual([]);
  });

  it("refuses a schedule that is not a crontab", async () => {
    const r = await runJob(["backup"], env({ SENTRY_DSN: dsn, SENTRY_MONITOR_SCHEDULE: "cron(0 2 * * ? *)" }), new Date("2025-03-06T02:00:00Z"));
    expect(r).toMatchObject({ code: 1, err: [expect.stringContaining("SENTRY_MONITOR_SCHEDULE is not a 5-field crontab")] });
  });

  it("checks in error when the backup fails", async () => {
    const r = await runJob(["backup"], env({ SENTRY_DSN: dsn, DATABASE_URL: sourceUrl.replace(/\/[^/]+$/, "/missing_db") }), new Date("2025-03-02T02:00:00Z"));
    expect(r.code).toBe(1);
    expect(bodies().map((b) => b.status)).toEqual(["in_progress", "error"]);
  });

  it("a Sentry that cannot be reached costs one log line per check-in, not the backup", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await runJob(["backup"], env({ SENTRY_DSN: `http://pubkey@127.0.0.1:${deadPort}/42` }), new Date("2025-03-03T02:00:00Z"));
    expect(r.code).toBe(0);
    expect(r.err).toEqual([expect.stringMatching(/^sentry check-in in_progress failed: /), expect.stringMatching(/^sentry check-in ok failed: /)]);
    expect(r.out.join("\n")).toMatch(/20250303T020000Z-[0-9a-f]{8}: complete/);
  });

  it("refuses half a Sentry configuration", async () => {
    const r = await runJob(["backup"], env({}), new Date("2025-03-04T02:00:00Z"));
    expect(r).toMatchObject({ code: 1, err: [expect.stringContaining("missing environment variable: SENTRY_DSN")] });
  });
});
