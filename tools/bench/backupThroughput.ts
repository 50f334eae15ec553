/**
 * The backup job's throughput: a real PostgreSQL server and s3rver (the test servers,
 * test/support/servers.ts), a database of incompressible rows, one `backup` run of the job's CLI.
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import { Client } from "pg";
import { main } from "../../jobs/backup/cli";
import { startPostgres, startS3, stopPostgres } from "../../test/support/servers";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";

export interface Throughput {
  mib: number;
  seconds: number;
}

export async function backupThroughput(mib = 64): Promise<Throughput> {
  const pg = await startPostgres();
  const s3 = await startS3();
  try {
    const url = new URL(pg.url);
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query("create database bench");
    await admin.end();
    url.pathname = "/bench";
    const db = new Client({ connectionString: url.toString() });
    await db.connect();
    await db.query("create table chunks (id int primary key, data bytea not null)");
    for (let i = 0; i < mib; i++) await db.query("insert into chunks values ($1, $2)", [i, randomBytes(1 << 20)]);
    await db.end();
    const creds = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    await new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: creds }).send(
      new CreateBucketCommand({ Bucket: "bench" }),
    );
    const env = {
      BACKUP_BUCKET: "bench",
      BACKUP_PREFIX: "bench",
      AWS_REGION: "us-east-1",
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      PG_BIN_DIR: pg.binDir,
      DATABASE_URL: url.toString(),
    };
    const errors: string[] = [];
    const started = process.hrtime.bigint();
    const code = await main(["backup"], env, { out: () => undefined, err: (l) => errors.push(l), now: () => new Date() });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`backup job exited ${code}: ${errors.join(" ")}`);
    return { mib, seconds };
  } finally {
    await s3.stop();
    stopPostgres(pg.dataDir, pg.binDir);
    fs.rmSync(pg.dataDir, { recursive: true, force: true });
  }
}
