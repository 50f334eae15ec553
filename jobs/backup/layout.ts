import { JobError } from "./errors";

/**
 * Where a backup's objects live: `<prefix>/<timestamp>/<name>`. The timestamp is ISO 8601
 * basic format in UTC (`20250131T020000Z`): fixed width so that string order is time order,
 * and no colons, which are awkward in S3 keys, shells and file names.
 */
export const TIMESTAMP_RE = /^\d{8}T\d{6}Z$/;

export const DUMP_NAME = "postgres.dump";
export const CHROMA_NAME = "chroma.tar.gz";
export const MANIFEST_NAME = "manifest.json";

export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
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

/** `--from` accepts a timestamp as `list` prints it, or `latest`. */
export function parseFrom(value: string | undefined, required: boolean): string | "latest" {
  if (value === undefined) {
    if (required) throw new JobError("--from <timestamp>|latest is required");
    return "latest";
  }
  if (value === "latest" || TIMESTAMP_RE.test(value)) return value;
  throw new JobError(`--from must be "latest" or a timestamp like 20250131T020000Z, got ${JSON.stringify(value)}`);
}
