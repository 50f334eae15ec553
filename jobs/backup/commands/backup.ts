import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pipeline } from "stream/promises";
import { parseArgs } from "util";
import { Run } from "../bounds";
import { listBackups, previousComplete } from "../catalog";
import { snapshotDir, tarStream } from "../chroma";
import { DigestStream } from "../digest";
import { readBackupEnv } from "../env";
import { JobError, oneLine } from "../errors";
import { backupDir, backupId, CHROMA_NAME, DUMP_NAME, formatTimestamp, MANIFEST_NAME, objectKey } from "../layout";
import { Manifest, ManifestObject } from "../manifest";
import { PgTools } from "../pg";
import { implausible, readPlausibility } from "../plausibility";
import { formatBytes, Runtime } from "../runtime";
import { listAll, objectSize, openStore, putNew, Store } from "../s3";
import { DumpSnapshot } from "../tables";
import { isNoSpace } from "../verification";

/** `backup`: dump Postgres (and snapshot Chroma) to a new folder, then write the manifest last. */
export async function backupCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime, run: Run): Promise<void> {
  parseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
  const cfg = readBackupEnv(env);
  const rules = readPlausibility(env);
  const startedAt = rt.now();
  const id = backupId(formatTimestamp(startedAt), randomBytes(4).toString("hex"));
  const store = openStore(cfg, run.bounds, run.signal);
  const pg = new PgTools(cfg.pgBinDir, run.signal, { lockWaitSeconds: run.bounds.pgLockWaitSeconds, stallSeconds: run.bounds.pgStallSeconds });
  const where = `s3://${cfg.bucket}/${backupDir(cfg.prefix, id)}`;

  await run.step(`checking ${where} is free`, async () => {
    if ((await listAll(store, backupDir(cfg.prefix, id))).length > 0) throw new JobError(`${where} already exists; a backup is never overwritten`);
  });
  // Fail before the dump, not after it: a wrong or unmounted CHROMA_DATA_DIR would otherwise cost a full dump.
  if (cfg.chromaDataDir) await checkChromaDir(cfg.chromaDataDir);
  const server = await run.step("connecting to the database", () => pg.server(cfg.databaseUrl));
  const pgDump = await pg.toolMajor("pg_dump");
  // pg_dump refuses newer servers anyway; saying which image to build is the useful part.
  if (pgDump.major < server.major) {
    throw new JobError(`server is PostgreSQL ${server.major} but ${pgDump.version} is older; build the job image with PG_MAJOR=${server.major}`);
  }

  rt.out(`backup ${id}: dumping database ${server.database} (PostgreSQL ${server.version}) to ${where}`);
  const snap = await run.step("opening the dump's snapshot", () => DumpSnapshot.open(cfg.databaseUrl, run.signal));
  let tables;
  const objects: ManifestObject[] = [];
  try {
    objects.push(
      await run.step(`dumping database ${server.database} to ${DUMP_NAME}`, () =>
        upload(store, cfg.prefix, id, DUMP_NAME, "application/octet-stream", pg.dump(cfg.databaseUrl, snap.id)),
      ),
    );
    tables = await run.step("counting rows in the dump's snapshot", () => snap.tables());
  } finally {
    await snap.close();
  }

  let chroma: Manifest["chroma"];
  if (cfg.chromaDataDir) {
    const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), "chroma-snapshot-"));
    try {
      const t0 = Date.now();
      const stats = await run.step(`copying the Chroma data dir ${cfg.chromaDataDir} to TMPDIR`, () =>
        snapshotDir(cfg.chromaDataDir!, staging, run.signal).catch((err) => {
          if (isNoSpace(err))
            throw new JobError(
              `TMPDIR ${os.tmpdir()} filled up staging the Chroma snapshot of ${cfg.chromaDataDir} (${oneLine(err)}); give the task more ephemeral storage`,
            );
          throw err;
        }),
      );
      const seconds = (Date.now() - t0) / 1000;
      chroma = { sourceDir: cfg.chromaDataDir, ...stats, seconds };
      rt.out(`backup ${id}: chroma snapshot of ${stats.sqliteFiles.length} SQLite file(s) and ${stats.otherFiles} other(s) in ${seconds.toFixed(1)}s`);
      const digest = new DigestStream();
      const packing = pipeline(tarStream(staging), digest);
      packing.catch(() => undefined); // pipeline destroys `digest` with the error, which fails the upload
      objects.push(await run.step(`uploading ${CHROMA_NAME}`, () => upload(store, cfg.prefix, id, CHROMA_NAME, "application/gzip", digest)));
      await packing;
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true });
    }
  }

  const manifest: Manifest = {
    formatVersion: 2,
    timestamp: formatTimestamp(startedAt),
    id,
    startedAt: startedAt.toISOString(),
    finishedAt: rt.now().toISOString(),
    postgres: { serverVersion: server.version, pgDumpVersion: pgDump.version, database: server.database, tables },
    ...(chroma ? { chroma } : {}),
    objects,
  };
  await run.step(`writing ${MANIFEST_NAME}`, () =>
    putNew(store, objectKey(cfg.prefix, id, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, "application/json"),
  );
  const total = objects.reduce((n, o) => n + o.size, 0);
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  rt.out(
    `backup ${id}: complete, ${objects.map((o) => `${o.name} ${formatBytes(o.size)}`).join(", ")} (${formatBytes(total)}; ${tables.length} tables, ${rows} rows)`,
  );

  // The backup is whole and kept; an implausible one still fails the run, so the alarm fires.
  const previous = previousComplete(await listBackups(store, cfg.prefix), id)?.manifest;
  const why = implausible(manifest, previous, { ...rules, maxAgeSeconds: undefined }, rt.now());
  if (why.length > 0) throw new JobError(`backup ${id} is implausible: ${why.join("; ")}`);
}

/** An empty directory is what an EFS volume that failed to mount looks like. */
async function checkChromaDir(dir: string): Promise<void> {
  const stat = await fs.promises.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new JobError(`CHROMA_DATA_DIR ${dir} is not a directory`);
  if ((await fs.promises.readdir(dir)).length === 0) throw new JobError(`CHROMA_DATA_DIR ${dir} is empty: is the Chroma volume mounted?`);
}

async function upload(store: Store, prefix: string, id: string, name: string, contentType: string, body: DigestStream): Promise<ManifestObject> {
  const key = objectKey(prefix, id, name);
  await putNew(store, key, body, contentType);
  // What S3 holds must be what we hashed; a proxy or server that truncated would show here.
  const stored = await objectSize(store, key);
  if (stored !== body.bytes) throw new JobError(`${key}: stored ${stored} bytes but streamed ${body.bytes}`);
  return { name, key, size: body.bytes, sha256: body.sha256, contentType };
}
