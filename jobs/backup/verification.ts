import { createWriteStream } from "fs";
import * as path from "path";
import { pipeline } from "stream/promises";
import { resolveBackup } from "./catalog";
import { checkTarGz } from "./chroma";
import { DigestStream } from "./digest";
import { JobError, oneLine } from "./errors";
import { CHROMA_NAME, DUMP_NAME, MANIFEST_NAME, objectKey } from "./layout";
import { Manifest, parseManifest } from "./manifest";
import { PgTools } from "./pg";
import { getStream, getText, Store } from "./s3";

export interface VerifiedBackup {
  timestamp: string;
  manifest: Manifest;
  /** Local copies of the objects, checked against the manifest: restore uses these exact bytes. */
  files: Map<string, string>;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Downloads every object of a backup into `workDir`, hashing on the way, and checks it against
 * the manifest; then checks the dump is a readable archive and the Chroma tarball lists fully.
 * Collects every problem before failing, so one run names all the damaged objects.
 */
export async function verifyBackup(store: Store, prefix: string, from: string, pg: PgTools, workDir: string): Promise<VerifiedBackup> {
  const ts = await resolveBackup(store, prefix, from);
  const manifestKey = objectKey(prefix, ts, MANIFEST_NAME);
  const manifest = parseManifest(await getText(store, manifestKey), manifestKey);
  const problems: string[] = [];
  const files = new Map<string, string>();

  for (const o of manifest.objects) {
    const expectedKey = objectKey(prefix, ts, o.name);
    // The manifest decides which local paths get written: refuse names that could escape workDir.
    if (!SAFE_NAME.test(o.name) || o.key !== expectedKey) {
      problems.push(`${o.key}: manifest entry ${JSON.stringify(o.name)} does not belong to this backup`);
      continue;
    }
    const file = path.join(workDir, o.name);
    const digest = new DigestStream();
    try {
      await pipeline(await getStream(store, o.key), digest, createWriteStream(file));
    } catch (err) {
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
  if (!manifest.objects.some((o) => o.name === DUMP_NAME)) problems.push(`${manifestKey}: lists no ${DUMP_NAME}`);
  if (dump) {
    await pg.list(dump).catch((err) => problems.push(`${objectKey(prefix, ts, DUMP_NAME)}: not a valid archive: ${oneLine(err)}`));
  }
  const chroma = files.get(CHROMA_NAME);
  if (chroma) {
    await checkTarGz(chroma).catch((err) => problems.push(`${objectKey(prefix, ts, CHROMA_NAME)}: not a valid tar.gz: ${oneLine(err)}`));
  }

  if (problems.length > 0) throw new JobError(`backup ${ts} failed verification: ${problems.join("; ")}`);
  return { timestamp: ts, manifest, files };
}
