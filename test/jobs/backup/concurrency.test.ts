import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Client } from "pg";
import { startMoto } from "../../support/servers";
import { createDatabase, jobEnv, REGION, runJob, s3, seed, withDb } from "./helpers";

/**
 * Two backups started in the same second while the database takes writes: each must come out
 * whole (its own dump, its own manifest), and latest must verify and restore with the manifest's
 * row counts. Against s3rver (no conditional writes) and moto (which enforces If-None-Match).
 */
describe.each(["s3rver", "moto"])("two concurrent backups on %s", (server) => {
  let moto: Awaited<ReturnType<typeof startMoto>> | undefined;
  let client: S3Client;
  let endpoint: string;
  let sourceUrl: string;
  const bucket = `bk-conc-${server}`;

  beforeAll(async () => {
    if (server === "moto") {
      moto = await startMoto();
      endpoint = moto.endpoint;
      client = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    } else {
      endpoint = process.env.TEST_S3_ENDPOINT!;
      client = s3();
    }
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    sourceUrl = await createDatabase(`conc_${server}_${process.pid}`);
    await seed(sourceUrl);
  }, 30_000);
  afterAll(async () => moto?.stop());

  const env = (extra: Record<string, string> = {}) => ({
    ...jobEnv(bucket, "c", { DATABASE_URL: sourceUrl, ...extra }),
    S3_ENDPOINT: endpoint,
    ...(server === "moto" ? { AWS_ACCESS_KEY_ID: "k", AWS_SECRET_ACCESS_KEY: "s" } : {}),
  });

  it("both complete, each manifest names only its own objects, latest verifies and restores", async () => {
    const writer = new Client({ connectionString: sourceUrl });
    await writer.connect();
    let writing = true;
    const writes = (async () => {
      while (writing) await writer.query("insert into users (name, joined) values ('concurrent', now())");
    })();
    const at = new Date("2025-06-01T02:00:00Z");
    const [a, b] = await Promise.all([runJob(["backup"], env(), at), runJob(["backup"], env(), at)]);
    writing = false;
    await writes;
    await writer.end();
    expect([a.err, b.err]).toEqual([[], []]);
    expect([a.code, b.code]).toEqual([0, 0]);

    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "c/" }));
    const ids = [...new Set((listed.Contents ?? []).map((o) => o.Key!.split("/")[1]))].sort();
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `c/${id}/manifest.json` }));
      const manifest = JSON.parse(await res.Body!.transformToString());
      expect(manifest.id).toBe(id);
      expect(manifest.objects.map((o: { key: string }) => o.key)).toEqual([`c/${id}/postgres.dump`]);
    }
    const verify = await runJob(["verify", "--from", "latest"], env());
    expect(verify.err).toEqual([]);
    const target = await createDatabase(`conc_${server}_dst_${process.pid}`);
    const restore = await runJob(["restore", "--from", "latest", "--database-url", target], env());
    expect(restore.err).toEqual([]);
    expect(restore.out.join("\n")).toMatch(/tables, \d+ rows, as in the manifest/);
    // Writes landed during the runs, so the two backups differ; the restored one matches its own manifest (checked by restore).
    const n = await withDb(target, async (c) => (await c.query("select count(*)::int as n from users where name = 'concurrent'")).rows[0].n);
    expect(n).toBeGreaterThan(0);
  });
});
