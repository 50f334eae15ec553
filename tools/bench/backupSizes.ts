/**
 * `npm run bench -- backup [--sizes 100M,1G,3G]`: the backup job at several database sizes on the
 * test servers (a throwaway PostgreSQL and s3rver on loopback): wall time and the job process's
 * peak RSS of `backup`, `restore` into a new database and `drill`. Incompressible rows (1 MiB
 * random bytea each), so the dump is as large as the data. Printed, never asserted.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { startPostgres, startS3, stopPostgres } from "../../test/support/servers";

const ROOT = path.resolve(__dirname, "../..");

export interface JobFigure {
  command: string;
  seconds: number;
  maxRssMiB: number;
}

export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)([MG])$/i.exec(v.trim());
  if (!m) throw new Error(`--sizes takes sizes like 100M or 3G, got ${JSON.stringify(v)}`);
  return Math.round(Number(m[1]) * (m[2].toUpperCase() === "G" ? 1024 : 1));
}

/** Runs one command in its own Node process (tools/bench/jobRun.ts); wall time and that process's peak RSS. */
function runJob(argv: string[], env: NodeJS.ProcessEnv): Promise<JobFigure> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tools/bench/jobRun.ts"), ...argv], {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err = (err + d).slice(-2000)));
    child.on("close", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`backup-job ${argv[0]} exited ${code}: ${err.trim()}`));
      const { maxRssKiB } = JSON.parse(last) as { maxRssKiB: number };
      resolve({ command: argv[0], seconds, maxRssMiB: maxRssKiB / 1024 });
    });
  });
}

export async function backupAtSizes(sizesMiB: number[], line: (label: string, value: string) => void): Promise<void> {
  const pg = await startPostgres();
  const s3 = await startS3();
  try {
    const creds = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    for (const mib of sizesMiB) {
      const db = `bench_${mib}`;
      await admin.query(`create database ${db}`);
      const url = new URL(pg.url);
      url.pathname = `/${db}`;
      const c = new Client({ connectionString: url.toString() });
      await c.connect();
      await c.query("create table chunks (id int primary key, data bytea not null)");
      for (let i = 0; i < mib; i++) await c.query("insert into chunks values ($1, $2)", [i, randomBytes(1 << 20)]);
      await c.end();
      const bucket = `bench-${mib}`;
      await new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: creds }).send(
        new CreateBucketCommand({ Bucket: bucket }),
      );
      const env = {
        ...process.env,
        NODE_NO_WARNINGS: "1",
        BACKUP_BUCKET: bucket,
        BACKUP_PREFIX: "bench",
        AWS_REGION: "us-east-1",
        S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: creds.accessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
        PG_BIN_DIR: pg.binDir,
        BACKUP_DEADLINE_SECONDS: "86400",
      };
      const backup = await runJob(["backup"], { ...env, DATABASE_URL: url.toString() });
      await admin.query(`create database ${db}_restored`);
      url.pathname = `/${db}_restored`;
      const restore = await runJob(["restore", "--from", "latest", "--database-url", url.toString()], env);
      await admin.query(`drop database ${db}_restored`);
      const drill = await runJob(["drill"], { ...env, DRILL_ADMIN_URL: pg.url });
      await admin.query(`drop database ${db}`);
      for (const f of [backup, restore, drill]) {
        line(
          `${f.command} ${mib >= 1024 ? `${mib / 1024} GiB` : `${mib} MiB`}`,
          `${f.seconds.toFixed(1)} s, ${(mib / f.seconds).toFixed(1)} MiB/s, peak RSS ${f.maxRssMiB.toFixed(0)} MiB`,
        );
      }
    }
    await admin.end();
  } finally {
    await s3.stop();
    stopPostgres(pg.dataDir, pg.binDir);
    fs.rmSync(path.dirname(pg.dataDir), { recursive: true, force: true });
  }
}
