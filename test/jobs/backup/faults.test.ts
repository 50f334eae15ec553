import * as net from "net";
import { Client } from "pg";
import { createBucket, createDatabase, jobEnv, keysUnder, runJob, seed, withDb } from "./helpers";

/** Every wait has a bound: a frozen S3, a held table lock, a silent database, the run's deadline. */
describe("backup job under faults", () => {
  const bucket = "bk-faults";
  let sourceUrl: string;
  let frozen: net.Server;
  let frozenPort: number;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    await createBucket(bucket);
    sourceUrl = await createDatabase(`faults_src_${process.pid}`);
    await seed(sourceUrl);
    // Accepts connections and never answers: what a hung endpoint or a black-holed proxy looks like.
    frozen = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => frozen.listen(0, "127.0.0.1", resolve));
    frozenPort = (frozen.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => frozen.close(resolve));
  });

  /** Holds ACCESS EXCLUSIVE on users in an open transaction, as a migration or a VACUUM FULL would. */
  async function holdingLock<T>(fn: () => Promise<T>): Promise<T> {
    const c = new Client({ connectionString: sourceUrl });
    await c.connect();
    try {
      await c.query("begin; lock table users in access exclusive mode");
      return await fn();
    } finally {
      await c.query("rollback").catch(() => undefined);
      await c.end();
    }
  }

  const pgDumps = () =>
    withDb(
      sourceUrl,
      async (c) =>
        (await c.query("select count(*)::int as n from pg_stat_activity where application_name = 'pg_dump' and datname = current_database()")).rows[0].n,
    );

  it("a frozen S3 fails list within its bound, naming the endpoint and what it asked", async () => {
    const t0 = Date.now();
    const r = await runJob(["list"], jobEnv(bucket, "f", { S3_ENDPOINT: `http://127.0.0.1:${frozenPort}`, S3_TIMEOUT_SECONDS: "1", S3_MAX_ATTEMPTS: "2" }));
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      `backup-job list: S3 at http://127.0.0.1:${frozenPort} did not answer listing s3://${bucket}/f/ within 1s (S3_TIMEOUT_SECONDS), 2 attempt(s)`,
    ]);
  });

  it("a dead S3 says it is unreachable, not 'The operation was aborted'", async () => {
    const dead = net.createServer();
    await new Promise<void>((resolve) => dead.listen(0, "127.0.0.1", resolve));
    const port = (dead.address() as net.AddressInfo).port;
    await new Promise((resolve) => dead.close(resolve));
    const r = await runJob(["backup"], jobEnv(bucket, "f", { DATABASE_URL: sourceUrl, S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_MAX_ATTEMPTS: "2" }));
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(new RegExp(`^backup-job backup: S3 at http://127.0.0.1:${port} is unreachable \\(ECONNREFUSED\\)`))]);
  });

  it("pg_dump waits for a held table lock only PG_LOCK_WAIT_SECONDS, and names the table", async () => {
    const r = await holdingLock(() => runJob(["backup"], jobEnv(bucket, "lock", { DATABASE_URL: sourceUrl, PG_LOCK_WAIT_SECONDS: "1" })));
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      expect.stringMatching(/^backup-job backup: pg_dump waited 1s \(PG_LOCK_WAIT_SECONDS\) for a lock on table public\.users that another session holds/),
    ]);
    expect(await keysUnder(bucket, "lock/")).toEqual([]);
  });

  it("a database that stops answering fails after PG_STALL_SECONDS of silence, and pg_dump is gone", async () => {
    const r = await holdingLock(() =>
      runJob(["backup"], jobEnv(bucket, "stall", { DATABASE_URL: sourceUrl, PG_LOCK_WAIT_SECONDS: "60", PG_STALL_SECONDS: "1" })),
    );
    expect(r.err).toEqual([expect.stringMatching(/^backup-job backup: pg_dump wrote nothing for 1s \(PG_STALL_SECONDS\): the database stopped answering/)]);
    expect(r.code).toBe(1);
    await waitFor(async () => (await pgDumps()) === 0);
  });

  it("the run's deadline stops it, naming the step that was running", async () => {
    const t0 = Date.now();
    const r = await holdingLock(() =>
      runJob(["backup"], jobEnv(bucket, "deadline", { DATABASE_URL: sourceUrl, PG_LOCK_WAIT_SECONDS: "60", BACKUP_DEADLINE_SECONDS: "2" })),
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      expect.stringMatching(
        /^backup-job backup: job deadline of 2s \(BACKUP_DEADLINE_SECONDS\) passed while dumping database faults_src_\d+ to postgres\.dump$/,
      ),
    ]);
    await waitFor(async () => (await pgDumps()) === 0);
    expect(await keysUnder(bucket, "deadline/")).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
