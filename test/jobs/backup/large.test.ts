import { randomBytes } from "crypto";
import { createBucket, createDatabase, jobEnv, keysUnder, runJob, withDb } from "./helpers";

/** A dump bigger than one 16 MiB part goes through the multipart path, end to end. */
describe("backup job with a multipart-sized dump", () => {
  const bucket = "bk-large";

  it("streams a ~17 MiB incompressible dump up and restores it byte for byte", async () => {
    const src = await createDatabase(`large_src_${process.pid}`);
    await withDb(src, async (c) => {
      await c.query("create table chunks (id int primary key, data bytea not null)");
      for (let i = 0; i < 17; i++) await c.query("insert into chunks values ($1, $2)", [i, randomBytes(1024 * 1024)]);
    });
    const backup = await runJob(["backup"], jobEnv(bucket, "large", { DATABASE_URL: src }), new Date("2025-05-01T02:00:00Z"));
    expect(backup.err).toEqual([]);
    expect(backup.out.join("\n")).toMatch(/postgres\.dump (1[7-9]|[2-9]\d)\.\d MiB/);
    expect(await keysUnder(bucket, "large/")).toHaveLength(2);

    const dst = await createDatabase(`large_dst_${process.pid}`);
    const restore = await runJob(["restore", "--from", "latest", "--database-url", dst], jobEnv(bucket, "large"));
    expect(restore.err).toEqual([]);
    const digest = "select string_agg(md5(data), ',' order by id) as d, count(*)::int as n from chunks";
    const [a, b] = await Promise.all([withDb(src, (c) => c.query(digest)), withDb(dst, (c) => c.query(digest))]);
    expect(b.rows[0].n).toBe(17);
    expect(b.rows[0]).toEqual(a.rows[0]);
  });

  beforeAll(() => createBucket(bucket));
});
