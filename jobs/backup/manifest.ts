import { JobError } from "./errors";
import type { TableStat } from "./tables";

/**
 * manifest.json, written last: its presence is what makes a backup complete. Readers trust
 * nothing else in the folder, and check every object against it before using it.
 */
export interface ManifestObject {
  /** File name inside the backup folder, e.g. `postgres.dump`. */
  name: string;
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface Manifest {
  /** 2 adds the run id and per-table rows/sizes; 1 (older backups) is still read. */
  formatVersion: 1 | 2;
  timestamp: string;
  /** `<timestamp>-<run id>`: the folder this manifest belongs to (v2). */
  id?: string;
  startedAt: string;
  finishedAt: string;
  postgres: {
    serverVersion: string;
    pgDumpVersion: string;
    database: string;
    /** Rows and on-disk bytes of every table, counted in the dump's own snapshot (v2). */
    tables?: TableStat[];
  };
  chroma?: { sourceDir: string; sqliteFiles: string[]; otherFiles: number; seconds?: number };
  objects: ManifestObject[];
}

/** Parses and checks the shape, so a damaged manifest fails with its key named, not a TypeError later. */
export function parseManifest(text: string, key: string): Manifest {
  let m: any;
  try {
    m = JSON.parse(text);
  } catch {
    throw new JobError(`${key}: not valid JSON`);
  }
  const bad = (why: string) => new JobError(`${key}: ${why}`);
  if (m?.formatVersion !== 1 && m?.formatVersion !== 2) throw bad(`unsupported formatVersion ${JSON.stringify(m?.formatVersion)}`);
  if (!Array.isArray(m.objects) || m.objects.length === 0) throw bad("lists no objects");
  for (const o of m.objects) {
    if (typeof o?.name !== "string" || typeof o.key !== "string") throw bad("object without name/key");
    if (!Number.isSafeInteger(o.size) || o.size < 0) throw bad(`${o.name}: bad size`);
    if (typeof o.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(o.sha256)) throw bad(`${o.name}: bad sha256`);
  }
  return m as Manifest;
}
