import { JobError } from "./errors";
import { MANIFEST_NAME, TIMESTAMP_RE } from "./layout";
import { listAll, Store } from "./s3";

export interface BackupEntry {
  timestamp: string;
  complete: boolean;
  objects: string[];
  bytes: number;
}

/** Every backup folder under the prefix, newest first; complete means its manifest.json exists. */
export async function listBackups(store: Store, prefix: string): Promise<BackupEntry[]> {
  const byTs = new Map<string, BackupEntry>();
  for (const { key, size } of await listAll(store, `${prefix}/`)) {
    const [ts, name, ...rest] = key.slice(prefix.length + 1).split("/");
    // Anything not shaped like our layout is someone else's object: not a backup, not ours to judge.
    if (!TIMESTAMP_RE.test(ts) || !name || rest.length > 0) continue;
    const entry = byTs.get(ts) ?? { timestamp: ts, complete: false, objects: [], bytes: 0 };
    entry.objects.push(name);
    entry.bytes += size;
    if (name === MANIFEST_NAME) entry.complete = true;
    byTs.set(ts, entry);
  }
  return [...byTs.values()].sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1));
}

/** `latest` is the newest COMPLETE backup: a run that died half way is never picked. */
export async function resolveBackup(store: Store, prefix: string, from: string): Promise<string> {
  const backups = await listBackups(store, prefix);
  const where = `s3://${store.bucket}/${prefix}/`;
  if (from === "latest") {
    const latest = backups.find((b) => b.complete);
    if (!latest) throw new JobError(`no complete backup under ${where}`);
    return latest.timestamp;
  }
  const entry = backups.find((b) => b.timestamp === from);
  if (!entry) throw new JobError(`no backup ${from} under ${where}`);
  if (!entry.complete) throw new JobError(`backup ${from} is incomplete (no ${MANIFEST_NAME}); it cannot be verified or restored`);
  return from;
}
