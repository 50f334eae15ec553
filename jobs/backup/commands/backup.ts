import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pipeline } from "stream/promises";
import { parseArgs } from "util";
import { snapshotDir, tarStream } from "../chroma";
import { DigestStream } from "../digest";
import { BackupEnv, readBackupEnv } from "../env";
import { JobError } from "../errors";
import { backupDir, CHROMA_NAME, DUMP_NAME, formatTimestamp, MANIFEST_NAME, objectKey } from "../layout";
import { Manifest, ManifestObject } from "../manifest";
import { PgTools } from "../pg";
import { formatBytes, Runtime } from "../runtime";
import { listAll, objectSize, openStore, putNew, Store } from "../s3";
import { CronMonitor } from "../sentry";

/** `backup`: dump Postgres (and snapshot Chroma) to a new folder, then write the manifest last. */
export async function backupCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime): Promise<void> {
  parseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
  const cfg = readBackupEnv(env);
  const monitor = cfg.sentry ? CronMonitor.fromDsn(cfg.sentry.dsn, cfg.sentry.monitorSlug, rt.err, cfg.sentry.monitorConfig) : undefined;
  await monitor?.checkIn("in_progress");
  try {
    await takeBackup(cfg, rt);
  } catch (err) {
    await monitor?.checkIn("error");
    throw err;
  }
  await monitor?.checkIn("ok");
}

async function takeBackup(cfg: BackupEnv, rt: Runtime): Promise<void> {
  const startedAt = rt.now();
  const ts = formatTimestamp(startedAt);
  const store = openStore(cfg);
  const pg = new PgTools(cfg.pgBinDir);
  const where = `s3://${cfg.bucket}/${backupDir(cfg.prefix, ts)}`;

  if ((await listAll(store, backupDir(cfg.prefix, ts))).length > 0) {
    throw new JobError(`${where} already exists; a backup is never overwritten (another run in the same second?)`);
  }
  // Fail before the dump, not after it: a wrong CHROMA_DATA_DIR would otherwise cost a full dump.
  if (cfg.chromaDataDir && !(await fs.promises.stat(cfg.chromaDataDir).catch(() => undefined))?.isDirectory()) {
    throw new JobError(`CHROMA_DATA_DIR ${cfg.chromaDataDir} is not a directory`);
  }
  const server = await pg.server(cfg.databaseUrl);
  const pgDump = await pg.toolMajor("pg_dump");
  // pg_dump refuses newer servers anyway; saying which image to build is the useful part.
  if (pgDump.major < server.major) {
    throw new JobError(`server is PostgreSQL ${server.major} but ${pgDump.version} is older; build the job image with PG_MAJOR=${server.major}`);
  }

  rt.out(`backup ${ts}: dumping database ${server.database} (PostgreSQL ${server.version}) to ${where}`);
  const objects: ManifestObject[] = [await upload(store, cfg.prefix, ts, DUMP_NAME, "application/octet-stream", pg.dump(cfg.databaseUrl))];

  let chroma: Manifest["chroma"];
  if (cfg.chromaDataDir) {
    const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), "chroma-snapshot-"));
    try {
      const stats = await snapshotDir(cfg.chromaDataDir, staging);
      chroma = { sourceDir: cfg.chromaDataDir, ...stats };
      const digest = new DigestStream();
      const packing = pipeline(tarStream(staging), digest);
      packing.catch(() => undefined); // pipeline destroys `digest` with the error, which fails the upload
      objects.push(await upload(store, cfg.prefix, ts, CHROMA_NAME, "application/gzip", digest));
      await packing;
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true });
    }
  }

  const manifest: Manifest = {
    formatVersion: 1,
    timestamp: ts,
    startedAt: startedAt.toISOString(),
    finishedAt: rt.now().toISOString(),
    postgres: { serverVersion: server.version, pgDumpVersion: pgDump.version, database: server.database },
    ...(chroma ? { chroma } : {}),
    objects,
  };
  await putNew(store, objectKey(cfg.prefix, ts, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
  const total = objects.reduce((n, o) => n + o.size, 0);
  rt.out(`backup ${ts}: complete, ${objects.map((o) => `${o.name} ${formatBytes(o.size)}`).join(", ")} (${formatBytes(total)})`);
}

async function upload(store: Store, prefix: string, ts: string, name: string, contentType: string, body: DigestStream): Promise<ManifestObject> {
  const key = objectKey(prefix, ts, name);
  await putNew(store, key, body, contentType);
  // What S3 holds must be what we hashed; a proxy or server that truncated would show here.
  const stored = await objectSize(store, key);
  if (stored !== body.bytes) throw new JobError(`${key}: stored ${stored} bytes but streamed ${body.bytes}`);
  return { name, key, size: body.bytes, sha256: body.sha256, contentType };
}
