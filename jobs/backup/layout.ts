import { JobError } from "./errors";

/**
 * Where a backup's objects live: `<prefix>/<id>/<name>`, the id being `<timestamp>-<run id>`.
 * The timestamp is ISO 8601 basic format in UTC (`20250131T020000Z`): fixed width so that
 * string order is time order, and no colons, which are awkward in S3 keys, shells and file
 * names. The run id (8 random hex digits) is in every key, so two runs started in the same
 * second write disjoint folders and no backup can mix one run's dump with another's manifest.
 * Folders of the older layout (timestamp alone) are still listed, verified and restored.
 */
export const TIMESTAMP_RE = /^\d{8}T\d{6}Z$/;
export const BACKUP_ID_RE = /^\d{8}T\d{6}Z(-[0-9a-f]{8})?$/;

export function backupId(ts: string, runId: string): string {
  return `${ts}-${runId}`;
}

export const DUMP_NAME = "postgres.dump";
export const CHROMA_NAME = "chroma.tar.gz";
export const MANIFEST_NAME = "manifest.json";

export function formatTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
}

export function timestampToIso(ts: string): string {
  return `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(9, 11)}:${ts.slice(11, 13)}:${ts.slice(13, 15)}Z`;
}

export function backupDir(prefix: string, ts: string): string {
  return `${prefix}/${ts}/`;
}

export function objectKey(prefix: string, ts: string, name: string): string {
  return `${backupDir(prefix, ts)}${name}`;
}

/** `--from` accepts an id as `list` prints it, its timestamp alone (when unambiguous), or `latest`. */
export function parseFrom(value: string | undefined, required: boolean): string | "latest" {
  if (value === undefined) {
    if (required) throw new JobError("--from <backup id>|latest is required");
    return "latest";
  }
  if (value === "latest" || BACKUP_ID_RE.test(value)) return value;
  throw new JobError(`--from must be "latest" or a backup id like 20250131T020000Z-1a2b3c4d (as list prints it), got ${JSON.stringify(value)}`);
}
