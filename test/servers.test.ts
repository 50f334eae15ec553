import { Client } from "pg";
import { S3Client, CreateBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";

describe("test servers", () => {
  it("PostgreSQL accepts the superuser and rejects a wrong password", async () => {
    const c = new Client({ connectionString: process.env.TEST_PG_URL });
    await c.connect();
    const r = await c.query("select current_user as u");
    expect(r.rows[0].u).toBe("postgres");
    await c.end();
    const bad = new Client({ connectionString: process.env.TEST_PG_URL!.replace(/:[^:@]+@/, ":wrong@") });
    await expect(bad.connect()).rejects.toThrow(/password authentication failed/);
  });

  it("the S3 server stores buckets", async () => {
    const s3 = new S3Client({
      endpoint: process.env.TEST_S3_ENDPOINT,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    await s3.send(new CreateBucketCommand({ Bucket: "servers-test" }));
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain("servers-test");
  });
});
