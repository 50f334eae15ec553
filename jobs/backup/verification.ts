import * as fs from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { listBackups, previousComplete, resolveBackup } from "./catalog";
import { checkTarGz } from "./chroma";
import { DigestStream } from "./digest";
import { JobError, oneLine } from "./errors";
import { CHROMA_NAME, DUMP_NAME, objectKey } from "./layout";
import { Manifest } from "./manifest";
import { PgTools } from "./pg";
import { implausible, PlausibilityRules } from "./plausibility";
import { formatBytes } from "./runtime";
import { getStream, Store } from "./s3";

export interface VerifiedBackup {
  id: string;
  manifest: Manifest;
  /** Local copies of the objects, checked against the manifest: restore uses these exact bytes. */
  files: Map<string, string>;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A full TMPDIR must read as what it is, not as a damaged backup. */
export async function requireSpace(dir: string, bytes: number, what: string): Promise<void> {
  const st = await fs.promises.statfs(dir);
  const free = st.bavail * st.bsize;
  if (free < bytes) {
    throw new JobError(
      `not enough space in TMPDIR ${dir} for ${what}: ${formatBytes(bytes)} needed, ${formatBytes(free)} free (give the task more ephemeral storage)`,
    );
  }
}

export function isNoSpace(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "ENOSPC" || e?.code === "SQLITE_FULL" || /ENOSPC|no space left|disk is full/i.test(e?.message ?? "");
}

/**
 * Downloads every object of a backup into `workDir`, hashing on the way, and checks it against
 * the manifest; then checks the dump is a readable archive, the Chroma tarball lists fully, and
 * the backup is plausible (not empty, not much smaller than the one before, fresh enough).
 * Collects every problem before failing, so one run names all the damaged objects.
 */
export async function verifyBackup(
  store: Store,
  prefix: string,
  from: string,
  pg: PgTools,
  workDir: string,
  rules: PlausibilityRules,
  now: Date,
  damagedToo = false,
): Promise<VerifiedBackup> {
  const entry = await resolveBackup(store, prefix, from, damagedToo);
  const id = entry.id;
  const manifest = entry.manifest!;
  const problems: string[] = [];
  const files = new Map<string, string>();
  await requireSpace(
    workDir,
    manifest.objects.reduce((n, o) => n + o.size, 0),
    `backup ${id}`,
  );

  for (const o of manifest.objects) {
    const expectedKey = objectKey(prefix, id, o.name);
    // The manifest decides which local paths get written: refuse names that could escape workDir.
    if (!SAFE_NAME.test(o.name) || o.key !== expectedKey) {
      problems.push(`${o.key}: manifest entry ${JSON.stringify(o.name)} does not belong to this backup`);
      continue;
    }
    const file = path.join(workDir, o.name);
    const digest = new DigestStream();
    try {
      await pipeline(await getStream(store, o.key), digest, fs.createWriteStream(file), { signal: store.signal });
    } catch (err) {
      if (store.signal?.aborted) throw store.signal.reason;
      if (isNoSpace(err)) throw new JobError(`TMPDIR ${workDir} filled up downloading ${o.key} (${formatBytes(o.size)}); give the task more ephemeral storage`);
      if (err instanceof JobError && /^S3 /.test(err.message)) throw err;
      problems.push(`${o.key}: download failed: ${oneLine(err)}`);
      continue;
    }
    const bad: string[] = [];
    if (digest.bytes !== o.size) bad.push(`size ${digest.bytes} != manifest ${o.size}`);
    if (digest.sha256 !== o.sha256) bad.push(`sha256 ${digest.sha256.slice(0, 12)}… != manifest ${o.sha256.slice(0, 12)}…`);
    if (bad.length > 0) {
      problems.push(`${o.key}: ${bad.join(", ")}`);
      continue;
    }
    files.set(o.name, file);
  }

  const dump = files.get(DUMP_NAME);
  if (!manifest.objects.some((o) => o.name === DUMP_NAME)) problems.push(`${objectKey(prefix, id, "manifest.json")}: lists no ${DUMP_NAME}`);
  if (dump) {
    await pg.list(dump).catch((err) => problems.push(`${objectKey(prefix, id, DUMP_NAME)}: not a valid archive: ${oneLine(err)}`));
  }
  const chroma = files.get(CHROMA_NAME);
  if (chroma) {
    await checkTarGz(chroma).catch((err) => problems.push(`${objectKey(prefix, id, CHROMA_NAME)}: not a valid tar.gz: ${oneLine(err)}`));
  }
  if (entry.state !== "complete" && problems.length === 0) problems.push(entry.why ?? "damaged");
  if (problems.length > 0) throw new JobError(`backup ${id} failed verification: ${problems.join("; ")}`);

  const previous = previousComplete(await listBackups(store, prefix), id)?.manifest;
  const why = implausible(manifest, previous, rules, now);
  if (why.length > 0) throw new JobError(`backup ${id} is implausible: ${why.join("; ")}`);
  return { id, manifest, files };
}
