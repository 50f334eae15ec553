import { JobError, oneLine } from "./errors";
import { BACKUP_ID_RE, MANIFEST_NAME, objectKey } from "./layout";
import { Manifest, parseManifest } from "./manifest";
import { getText, listAll, Store } from "./s3";

/** complete: a manifest, and every object it lists present with its size. */
export type BackupState = "complete" | "INCOMPLETE" | "DAMAGED";

export interface BackupEntry {
  id: string;
  state: BackupState;
  /** Why it is not complete (no manifest; which object is missing or has the wrong size). */
  why?: string;
  objects: string[];
  bytes: number;
  manifest?: Manifest;
}

/** Every backup folder under the prefix, newest first, each checked against its manifest. */
export async function listBackups(store: Store, prefix: string): Promise<BackupEntry[]> {
  const byId = new Map<string, { id: string; sizes: Map<string, number> }>();
  for (const { key, size } of await listAll(store, `${prefix}/`)) {
    const [id, name, ...rest] = key.slice(prefix.length + 1).split("/");
    // Anything not shaped like our layout is someone else's object: not a backup, not ours to judge.
    if (!BACKUP_ID_RE.test(id) || !name || rest.length > 0) continue;
    const entry = byId.get(id) ?? { id, sizes: new Map() };
    entry.sizes.set(name, size);
    byId.set(id, entry);
  }
  const sorted = [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : -1));
  return Promise.all(sorted.map((f) => judge(store, prefix, f.id, f.sizes)));
}

async function judge(store: Store, prefix: string, id: string, sizes: Map<string, number>): Promise<BackupEntry> {
  const base = { id, objects: [...sizes.keys()].sort(), bytes: [...sizes.values()].reduce((a, b) => a + b, 0) };
  if (!sizes.has(MANIFEST_NAME)) return { ...base, state: "INCOMPLETE", why: `no ${MANIFEST_NAME}` };
  const key = objectKey(prefix, id, MANIFEST_NAME);
  let manifest: Manifest;
  try {
    manifest = parseManifest(await getText(store, key), key);
  } catch (err) {
    if (!(err instanceof JobError)) throw err;
    return { ...base, state: "DAMAGED", why: oneLine(err) };
  }
  const bad = manifest.objects
    .map((o) => {
      const size = sizes.get(o.name);
      if (o.key !== objectKey(prefix, id, o.name)) return `${o.name} belongs to another folder`;
      if (size === undefined) return `${o.name} missing`;
      return size === o.size ? undefined : `${o.name} is ${size} bytes, manifest says ${o.size}`;
    })
    .filter((x): x is string => !!x);
  if (bad.length) return { ...base, state: "DAMAGED", why: bad.join(", "), manifest };
  return { ...base, state: "complete", manifest };
}

/**
 * `latest` is the newest COMPLETE backup: a run that died half way, or lost an object, is never
 * restored. `verify` passes `damagedToo`: its latest is the newest with a manifest, so a damaged
 * newest backup is reported in full rather than skipped. A damaged backup named by id is
 * resolved too, and verification names each damaged object; an incomplete one never is.
 */
export async function resolveBackup(store: Store, prefix: string, from: string, damagedToo = false): Promise<BackupEntry> {
  const backups = await listBackups(store, prefix);
  const where = `s3://${store.bucket}/${prefix}/`;
  if (from === "latest") {
    const latest = backups.find((b) => b.state === "complete" || (damagedToo && b.state === "DAMAGED" && b.manifest));
    if (!latest) throw new JobError(`no complete backup under ${where}`);
    return latest;
  }
  // A bare timestamp names the one backup of that second (the older layout, or a unique run).
  const matches = backups.filter((b) => b.id === from || b.id.startsWith(`${from}-`));
  if (matches.length === 0) throw new JobError(`no backup ${from} under ${where}`);
  if (matches.length > 1 && !matches.some((b) => b.id === from)) {
    throw new JobError(`${from} names ${matches.length} backups (${matches.map((b) => b.id).join(", ")}); give the full id`);
  }
  const entry = matches.find((b) => b.id === from) ?? matches[0];
  if (entry.state === "INCOMPLETE" || !entry.manifest)
    throw new JobError(`backup ${entry.id} is ${entry.state.toLowerCase()} (${entry.why}); it cannot be verified or restored`);
  return entry;
}

/** The complete backup taken before `id`: what a new one is compared with for plausibility. */
export function previousComplete(backups: BackupEntry[], id: string): BackupEntry | undefined {
  return backups.find((b) => b.id < id && b.state === "complete");
}
