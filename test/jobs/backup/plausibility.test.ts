import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { backupAt, createBucket, createDatabase, jobEnv, runJob, s3, seed, withDb } from "./helpers";

/** Whole but useless backups must fail: empty, much smaller than the last, someone else's, stale, incomplete. */
describe("backup plausibility", () => {
  const bucket = "bk-plaus";
  let sourceUrl: string;
  const T1 = new Date("2025-07-01T02:00:00Z");
  const T2 = new Date("2025-07-02T02:00:00Z");

  beforeAll(async () => {
    await createBucket(bucket);
    sourceUrl = await createDatabase(`plaus_src_${process.pid}`);
    await seed(sourceUrl);
  });

  it("an empty database: backup exits 1 naming it, and verify fails", async () => {
    const empty = await createDatabase(`plaus_empty_${process.pid}`);
    const r = await runJob(["backup"], jobEnv(bucket, "empty", { DATABASE_URL: empty }), T1);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/is implausible: database plaus_empty_\d+ has no tables/)]);
    const v = await runJob(["verify"], jobEnv(bucket, "empty"), T1);
    expect(v.code).toBe(1);
    expect(v.err[0]).toMatch(/has no tables/);
  });

  it("an empty Chroma mount fails before the dump", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-empty-"));
    const r = await runJob(["backup"], jobEnv(bucket, "nochroma", { DATABASE_URL: sourceUrl, CHROMA_DATA_DIR: dir }), T1);
    expect(r.err).toEqual([`backup-job backup: CHROMA_DATA_DIR ${dir} is empty: is the Chroma volume mounted?`]);
  });

  it("a consistent replacement of dump and manifest by a tiny foreign backup fails verify; so does a stale one", async () => {
    const env = jobEnv(bucket, "swap", { DATABASE_URL: sourceUrl });
    expect((await runJob(["backup"], env, T1)).err).toEqual([]);
    // The "replacement": a second, whole backup of an unrelated small database into the same prefix.
    const other = await createDatabase(`plaus_other_${process.pid}`);
    await withDb(other, (c) => c.query("create table t (x int); insert into t values (1)"));
    await runJob(["backup"], jobEnv(bucket, "swap", { DATABASE_URL: other }), T2);
    const v = await runJob(["verify", "--from", "latest"], env, T2);
    expect(v.code).toBe(1);
    expect(v.err[0]).toMatch(
      /is implausible: .*rows against \d+ in 20250701T020000Z-[0-9a-f]{8} \(more than 50% fewer.*it is of database plaus_other_\d+, the previous backup of plaus_src_\d+/,
    );
    const loose = await runJob(["verify", "--from", await backupAt(bucket, "swap", "20250701T020000Z")], env, T2);
    expect(loose.err).toEqual([]);
    const stale = await runJob(
      ["verify", "--from", await backupAt(bucket, "swap", "20250701T020000Z"), "--max-age", "26h"],
      env,
      new Date("2025-07-03T12:00:00Z"),
    );
    expect(stale.code).toBe(1);
    expect(stale.err[0]).toMatch(/is implausible: it is 58\.0h old, more than --max-age 26\.0h/);
  });

  it("list marks a backup whose dump is gone DAMAGED, and latest skips it for restore", async () => {
    const env = jobEnv(bucket, "gone", { DATABASE_URL: sourceUrl });
    await runJob(["backup"], env, T1);
    await runJob(["backup"], env, T2);
    const id2 = await backupAt(bucket, "gone", "20250702T020000Z");
    await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: `gone/${id2}/postgres.dump` }));
    const list = await runJob(["list"], env);
    expect(list.out[0]).toMatch(new RegExp(`^${id2}\\s+DAMAGED\\s.*\\(postgres\\.dump missing\\)$`));
    const v = await runJob(["verify"], env);
    expect(v.err[0]).toMatch(new RegExp(`backup ${id2} failed verification: gone/${id2}/postgres.dump: download failed`));
    const target = await createDatabase(`plaus_dst_${process.pid}`);
    const r = await runJob(["restore", "--from", "latest", "--database-url", target], env);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(/^backup 20250701T020000Z-[0-9a-f]{8}: verified/);
  });

  it("restore refuses a target holding only a type, a domain or a large object", async () => {
    const env = jobEnv(bucket, "gone");
    for (const [kind, sql] of [
      ["1 types", "create type mood as enum ('ok')"],
      ["1 types", "create domain positive as int check (value > 0)"],
      ["1 large objects", "select lo_create(0)"],
    ]) {
      const target = await createDatabase(`plaus_busy_${process.pid}_${Math.floor(Math.random() * 1e6)}`);
      await withDb(target, (c) => c.query(sql));
      const r = await runJob(["restore", "--from", "latest", "--database-url", target], env);
      expect(r.err).toEqual([expect.stringContaining(`is not empty (${kind}); use --force`)]);
    }
  });
});
