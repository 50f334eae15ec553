/**
 * The scheduled restore drill end to end: a real backup of a seeded database on the test
 * PostgreSQL and s3rver, then `drill` restores it into a scratch database, compares the row
 * counts with the manifest, drops the scratch database, checks in with its own Sentry monitor
 * (a loopback stand-in) and reports to CloudWatch (moto's server on loopback).
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { main } from "../../../jobs/backup/cli";
import { AddressInfo } from "net";
import { queryCall } from "../../../tools/aws/signedCall";
import { Moto, startMoto } from "../../support/moto";
import { createBucket, createDatabase, getObject, jobEnv, keysUnder, runJob, s3, seed, withDb } from "./helpers";

const NAMESPACE = "Chatbot/Backup";
const STACK = "chatbot-drilltest";

describe("backup job drill", () => {
  const bucket = "bk-drill";
  let sourceUrl: string;
  let moto: Moto;
  let sentry: http.Server;
  let sentryPort: number;
  // Check-ins carry their status in the JSON body (Sentry ignores the query string then).
  const checkIns: { pathname: string; status: unknown }[] = [];

  beforeAll(async () => {
    moto = await startMoto();
    await createBucket(bucket);
    sourceUrl = await createDatabase(`drillsrc_${process.pid}`);
    await seed(sourceUrl);
    sentry = http.createServer((req, res) => {
      let body = "";
      req
        .on("data", (d) => (body += d))
        .on("end", () => {
          checkIns.push({ pathname: new URL(req.url!, "http://sentry.local").pathname, status: body ? JSON.parse(body).status : undefined });
          res.writeHead(202).end("{}");
        });
    });
    await new Promise<void>((r) => sentry.listen(0, "127.0.0.1", r));
    sentryPort = (sentry.address() as AddressInfo).port;
    const r = await runJob(["backup"], jobEnv(bucket, "dr", { DATABASE_URL: sourceUrl }), new Date());
    expect(r.err).toEqual([]);
  }, 60_000);
  afterAll(async () => {
    moto.stop();
    await new Promise((r) => sentry.close(r));
  });

  const env = (extra: Record<string, string> = {}) =>
    jobEnv(bucket, "dr", {
      DRILL_ADMIN_URL: process.env.TEST_PG_URL!,
      DRILL_METRIC_NAMESPACE: NAMESPACE,
      DRILL_METRIC_STACK: STACK,
      CLOUDWATCH_ENDPOINT: moto.endpoint,
      ...extra,
    });

  const scratchDatabases = () =>
    withDb(process.env.TEST_PG_URL!, async (c) => (await c.query("select datname from pg_database where datname like 'drill\\_%'")).rows.map((r) => r.datname));

  /** One statistic of a drill metric over the last hour, per minute, as moto's CloudWatch answers GetMetricStatistics. */
  async function metric(name: string, stat: "Maximum" | "Minimum" | "SampleCount"): Promise<number[]> {
    const now = Date.now();
    const xml = await queryCall(
      { service: "monitoring", region: "us-east-1", endpoint: moto.endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" } },
      "GetMetricStatistics",
      "2010-08-01",
      {
        Namespace: NAMESPACE,
        MetricName: name,
        "Dimensions.member.1.Name": "Stack",
        "Dimensions.member.1.Value": STACK,
        StartTime: new Date(now - 3600_000).toISOString(),
        EndTime: new Date(now + 60_000).toISOString(),
        Period: "60",
        "Statistics.member.1": stat,
      },
    );
    return [...xml.matchAll(new RegExp(`<${stat}>([\\d.]+)</${stat}>`, "g"))].map((m) => Number(m[1]));
  }

  it("restores the latest backup into a scratch database, matches the manifest, drops it and reports success", async () => {
    const r = await runJob(
      ["drill", "--max-age", "1h"],
      env({ SENTRY_DSN: `http://pub@127.0.0.1:${sentryPort}/9`, SENTRY_MONITOR_SLUG: "chatbot-drilltest-backup" }),
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(/3 tables, 60 rows, as in the manifest/);
    expect(r.out.join("\n")).toMatch(/drill: backup \d{8}T\d{6}Z-[0-9a-f]{8} restored into drill_\d{8}t\d{6}z_[0-9a-f]{8} and matched its manifest in [\d.]+s/);
    expect(r.out).toContainEqual(expect.stringMatching(/^drill: dropped drill_/));
    expect(await scratchDatabases()).toEqual([]);
    expect(checkIns.map((c) => [c.pathname, c.status])).toEqual([
      ["/api/9/cron/chatbot-drilltest-backup-drill/pub/", "in_progress"],
      ["/api/9/cron/chatbot-drilltest-backup-drill/pub/", "ok"],
    ]);
    expect(await metric("RestoreDrillSuccess", "Maximum")).toEqual([1]);
    expect((await metric("RestoreDrillSeconds", "Maximum"))[0]).toBeGreaterThan(0);
  }, 60_000);

  it("fails when a restored table's rows differ from the manifest, still drops the scratch database and reports failure", async () => {
    // A manifest that claims one more user row than the dump holds: what a dump that lost rows looks like.
    const key = (await keysUnder(bucket, "dr/")).find((k) => k.endsWith("/manifest.json"))!;
    const manifest = JSON.parse((await getObject(bucket, key)).bytes.toString("utf8"));
    const users = manifest.postgres.tables.find((t: { name: string }) => t.name === "public.users");
    users.rows += 1;
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(manifest) }));

    const r = await runJob(["drill"], env());
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      expect.stringMatching(/^backup-job drill: restored database drill_\S+ differs from backup \S+: public\.users has 7 rows, manifest 8$/),
    ]);
    expect(await scratchDatabases()).toEqual([]);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(await metric("RestoreDrillSuccess", "SampleCount"))).toBe(2);
    expect(Math.min(...(await metric("RestoreDrillSuccess", "Minimum")))).toBe(0);
  }, 60_000);

  it("stopped by SIGTERM mid-restore, still drops the scratch database and reports failure", async () => {
    // pg_restore that hangs (its --list, which verify runs, is the real one).
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pg-drill-"));
    const pidFile = path.join(bin, "restore.pid");
    for (const tool of ["psql", "pg_dump"]) fs.symlinkSync(path.join(process.env.TEST_PG_BIN!, tool), path.join(bin, tool));
    fs.writeFileSync(
      path.join(bin, "pg_restore"),
      `#!/bin/sh\nif [ "$1" = "--list" ] || [ "$1" = "--version" ]; then exec ${process.env.TEST_PG_BIN}/pg_restore "$@"; fi\necho $$ > ${pidFile}\nexec sleep 600\n`,
      { mode: 0o755 },
    );
    const stop = new AbortController();
    const poll = setInterval(() => {
      if (fs.existsSync(pidFile)) stop.abort(Object.assign(new Error("stopped by SIGTERM"), { exitCode: 143 }));
    }, 100);
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await main(["drill"], env({ PG_BIN_DIR: bin }), {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        now: () => new Date(),
        stop: stop.signal,
      });
      expect(code).toBe(143);
    } finally {
      clearInterval(poll);
      fs.rmSync(bin, { recursive: true, force: true });
    }
    expect(err).toEqual([expect.stringMatching(/^backup-job drill: stopped by SIGTERM while restoring into database drill_\S+ \(pg_restore\)$/)]);
    expect(out).toContainEqual(expect.stringMatching(/^drill: dropped drill_/));
    expect(await scratchDatabases()).toEqual([]);
  }, 60_000);

  it("says what it needs when it has no role that may create databases", async () => {
    const e = env();
    delete e.DRILL_ADMIN_URL;
    const r = await runJob(["drill"], e);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      "backup-job drill: missing environment variable: DRILL_ADMIN_URL (or DB_MASTER_SECRET and PGHOST): the drill needs a role that may create databases",
    ]);
  });
});
