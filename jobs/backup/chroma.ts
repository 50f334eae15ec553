import * as fs from "fs";
import * as path from "path";
import { Readable } from "stream";
import * as tar from "tar";
import { JobError } from "./errors";
import { isSqliteHeader, openSqlite } from "./sqlite";

export interface SnapshotStats {
  sqliteFiles: string[];
  otherFiles: number;
}

// SQLite's sidecar files: the backup API already folds committed WAL content into the copy,
// and a stale -wal next to a restored database would be replayed onto it.
const SIDECAR = /-(wal|shm|journal)$/;

async function hasSqliteHeader(file: string): Promise<boolean> {
  const fh = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return isSqliteHeader(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/**
 * Copies a live Chroma data dir into `dest`: SQLite databases through the online backup API
 * (a transactionally consistent copy while Chroma keeps writing), every other file as is.
 * The HNSW segment files are not transactional; Chroma rebuilds from SQLite what they lack.
 */
export async function snapshotDir(src: string, dest: string, signal?: AbortSignal): Promise<SnapshotStats> {
  const stat = await fs.promises.stat(src).catch(() => undefined);
  if (!stat?.isDirectory()) throw new JobError(`CHROMA_DATA_DIR ${src} is not a directory`);
  const stats: SnapshotStats = { sqliteFiles: [], otherFiles: 0 };

  async function walk(rel: string): Promise<void> {
    const entries = await fs.promises.readdir(path.join(src, rel), { withFileTypes: true });
    const sqliteHere = new Set<string>();
    const files = entries.filter((e) => e.isFile());
    for (const e of files) {
      if (!SIDECAR.test(e.name) && (await hasSqliteHeader(path.join(src, rel, e.name)))) sqliteHere.add(e.name);
    }
    await fs.promises.mkdir(path.join(dest, rel), { recursive: true });
    for (const e of entries) {
      const relPath = path.join(rel, e.name);
      if (e.isDirectory()) {
        await walk(relPath);
      } else if (e.isFile()) {
        const sidecarOf = e.name.replace(SIDECAR, "");
        if (sidecarOf !== e.name && sqliteHere.has(sidecarOf)) continue;
        if (sqliteHere.has(e.name)) {
          const db = openSqlite(path.join(src, relPath), { readonly: true, fileMustExist: true, timeout: 30000 });
          try {
            await db.backup(path.join(dest, relPath), { progress: () => copyRestInOneStep(signal) });
          } finally {
            db.close();
          }
          stats.sqliteFiles.push(relPath);
        } else {
          await fs.promises.copyFile(path.join(src, relPath), path.join(dest, relPath));
          stats.otherFiles++;
        }
      }
      // Sockets, fifos and symlinks have no place in a Chroma data dir; they are left out.
    }
  }

  await walk("");
  return stats;
}

/**
 * better-sqlite3 copies 100 pages per step and yields between steps; a write by another
 * connection in between restarts the copy, so under Chroma's sustained ingestion it never
 * finished. After the first step, the rest goes in ONE step: one read transaction, consistent,
 * bounded by the file's size, and in WAL mode writers are not blocked meanwhile.
 */
function copyRestInOneStep(signal?: AbortSignal): number {
  if (signal?.aborted) throw signal.reason; // rejects the backup; the staging copy is removed by the caller
  return 0x7fffffff;
}

/** The snapshot as a gzipped tar stream, with portable headers (no owner names, no atimes). */
export function tarStream(dir: string): Readable {
  return tar.c({ gzip: true, cwd: dir, portable: true }, ["."]) as unknown as Readable;
}

/** Lists a tar.gz fully: fails on a truncated or corrupt archive. */
export async function checkTarGz(file: string): Promise<number> {
  let entries = 0;
  await tar.t({ file, strict: true, onReadEntry: () => void entries++ });
  return entries;
}

export async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await fs.promises.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  return entries.length === 0;
}

/**
 * Extracts into a staging dir inside `dir` (same filesystem, so the final moves are renames),
 * and only then, with `replace`, removes what was there. Chroma must be stopped meanwhile.
 */
export async function restoreDir(archive: string, dir: string, replace: boolean): Promise<number> {
  await fs.promises.mkdir(dir, { recursive: true });
  const before = await fs.promises.readdir(dir);
  if (before.length > 0 && !replace) {
    throw new JobError(`chroma dir ${dir} is not empty; use --force to replace its contents`);
  }
  const staging = await fs.promises.mkdtemp(path.join(dir, ".restore-"));
  try {
    await tar.x({ file: archive, cwd: staging, strict: true });
    for (const name of before) await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
    const restored = await fs.promises.readdir(staging);
    for (const name of restored) await fs.promises.rename(path.join(staging, name), path.join(dir, name));
    return restored.length;
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}
