import * as http from "http";
import { AddressInfo } from "net";
import { checkInUrl } from "../../../jobs/backup/sentry";
import { createBucket, createDatabase, jobEnv, runJob, seed } from "./helpers";

/** Sentry cron check-ins: start and end are reported, and Sentry being down never fails a backup. */
describe("backup job Sentry check-ins", () => {
  const bucket = "bk-monitoring";
  let sourceUrl: string;
  let server: http.Server;
  let port: number;
  const hits: { method: string; url: URL; body: string }[] = [];

  beforeAll(async () => {
    await createBucket(bucket);
    sourceUrl = await createDatabase(`mon_src_${process.pid}`);
    await seed(sourceUrl);
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        hits.push({ method: req.method!, url: new URL(req.url!, "http://sentry.local"), body });
        res.writeHead(202, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => void hits.splice(0));

  const env = (extra: Record<string, string>) =>
    jobEnv(bucket, "mon", { DATABASE_URL: sourceUrl, SENTRY_MONITOR_SLUG: "nightly-backup", ...extra });

  it("derives the check-in URL from the DSN, keeping a path prefix", () => {
    expect(checkInUrl("https://abc123@o42.ingest.sentry.io/4501", "db backup")).toBe(
      "https://o42.ingest.sentry.io/api/4501/cron/db%20backup/abc123/",
    );
    expect(checkInUrl("https://k@sentry.example.com/relay/7", "b")).toBe("https://sentry.example.com/relay/api/7/cron/b/k/");
    expect(() => checkInUrl("https://sentry.example.com/7", "b")).toThrow(/not a DSN/);
  });

  it("checks in in_progress then ok, with one check-in id", async () => {
    const r = await runJob(["backup"], env({ SENTRY_DSN: `http://pubkey@127.0.0.1:${port}/42` }), new Date("2025-03-01T02:00:00Z"));
    expect(r.code).toBe(0);
    expect(hits.map((h) => [h.method, h.url.pathname, h.url.searchParams.get("status")])).toEqual([
      ["POST", "/api/42/cron/nightly-backup/pubkey/", "in_progress"],
      ["POST", "/api/42/cron/nightly-backup/pubkey/", "ok"],
    ]);
    const ids = hits.map((h) => h.url.searchParams.get("check_in_id"));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it("sends the monitor's schedule with the first check-in, so Sentry creates the monitor", async () => {
    const r = await runJob(
      ["backup"],
      env({ SENTRY_DSN: `http://pubkey@127.0.0.1:${port}/42`, SENTRY_MONITOR_SCHEDULE: "0 2 * * *", SENTRY_MONITOR_TIMEZONE: "Europe/Berlin" }),
      new Date("2025-03-05T02:00:00Z"),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(hits[0].body)).toEqual({
      monitor_config: { schedule: { type: "crontab", value: "0 2 * * *" }, timezone: "Europe/Berlin", checkin_margin: 30, max_runtime: 120 },
    });
    expect(hits[1].body).toBe("");
  });

  it("refuses a schedule that is not a crontab", async () => {
    const r = await runJob(["backup"], env({ SENTRY_DSN: `http://pubkey@127.0.0.1:${port}/42`, SENTRY_MONITOR_SCHEDULE: "cron(0 2 * * ? *)" }), new Date("2025-03-06T02:00:00Z"));
    expect(r).toMatchObject({ code: 1, err: [expect.stringContaining("SENTRY_MONITOR_SCHEDULE is not a 5-field crontab")] });
  });

  it("checks in error when the backup fails", async () => {
    const r = await runJob(
      ["backup"],
      env({ SENTRY_DSN: `http://pubkey@127.0.0.1:${port}/42`, DATABASE_URL: sourceUrl.replace(/\/[^/]+$/, "/missing_db") }),
      new Date("2025-03-02T02:00:00Z"),
    );
    expect(r.code).toBe(1);
    expect(hits.map((h) => h.url.searchParams.get("status"))).toEqual(["in_progress", "error"]);
  });

  it("a Sentry that cannot be reached costs one log line per check-in, not the backup", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await runJob(["backup"], env({ SENTRY_DSN: `http://pubkey@127.0.0.1:${deadPort}/42` }), new Date("2025-03-03T02:00:00Z"));
    expect(r.code).toBe(0);
    expect(r.err).toEqual([
      expect.stringMatching(/^sentry check-in in_progress failed: /),
      expect.stringMatching(/^sentry check-in ok failed: /),
    ]);
    expect(r.out.join("\n")).toMatch(/20250303T020000Z-[0-9a-f]{8}: complete/);
  });

  it("refuses half a Sentry configuration", async () => {
    const r = await runJob(["backup"], env({}), new Date("2025-03-04T02:00:00Z"));
    expect(r).toMatchObject({ code: 1, err: [expect.stringContaining("missing environment variable: SENTRY_DSN")] });
  });
});
