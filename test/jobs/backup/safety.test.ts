import { PutObjectCommand } from "@aws-sdk/client-s3";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openSqlite } from "../../../jobs/backup/sqlite";
import { backupAt, backupIds, createBucket, createDatabase, getObject, jobEnv, keysUnder, runJob, s3, seed, withDb } from "./helpers";

/** What must never happen: a damaged backup trusted, a failed run taken as latest, a backup changed. */
describe("backup job safety", () => {
  const bucket = "bk-safety";
  const T1 = new Date("2025-02-01T02:00:00Z");
  const T2 = new Date("2025-02-02T02:00:00Z");
  const T3 = new Date("2025-02-03T02:00:00Z");
  let sourceUrl: string;
  let chromaDir: string;

  beforeAll(async () => {
    await createBucket(bucket);
    sourceUrl = await createDatabase(`safety_src_${process.pid}`);
    await seed(sourceUrl);
    chromaDir = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-safety-"));
    fs.writeFileSync(path.join(chromaDir, "header.bin"), Buffer.from("hnsw header"));
    const db = openSqlite(path.join(chromaDir, "chroma.sqlite3"));
    db.exec("create table embeddings (id integer primary key, document text); insert into embeddings (document) values ('doc')");
    db.close();
  });

  const env = (prefix: string, extra: Record<string, string> = {}) => jobEnv(bucket, prefix, { DATABASE_URL: sourceUrl, CHROMA_DATA_DIR: chromaDir, ...extra });

  async function backupOk(prefix: string, at: Date): Promise<void> {
    const r = await runJob(["backup"], env(prefix), at);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
  }

  async function put(key: string, body: Buffer | string): Promise<void> {
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  it("verify and restore fail on a corrupted object and name it", async () => {
    await backupOk("corrupt", T1);
    const id = await backupAt(bucket, "corrupt", "20250201T020000Z");
    const key = `corrupt/${id}/postgres.dump`;
    const { bytes } = await getObject(bucket, key);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff; // same size, one flipped byte: only the hash can tell
    await put(key, bytes);

    const verify = await runJob(["verify"], env("corrupt"));
    expect(verify.code).toBe(1);
    expect(verify.err).toHaveLength(1);
    expect(verify.err[0]).toContain(`${key}: sha256`);

    const target = await createDatabase(`safety_corrupt_${process.pid}`);
    const restore = await runJob(["restore", "--from", id, "--database-url", target], env("corrupt"));
    expect(restore.code).toBe(1);
    expect(restore.err[0]).toContain(key);
    const tables = await withDb(target, (c) => c.query("select count(*)::int as n from pg_tables where schemaname = 'public'"));
    expect(tables.rows[0].n).toBe(0);
  });

  it("verify names a truncated object, and a dump that is not an archive even when the manifest agrees", async () => {
    await backupOk("damaged", T1);
    const dir = `damaged/${await backupAt(bucket, "damaged", "20250201T020000Z")}`;
    const tarball = await getObject(bucket, `${dir}/chroma.tar.gz`);
    await put(`${dir}/chroma.tar.gz`, tarball.bytes.subarray(0, tarball.bytes.length - 10));
    const truncated = await runJob(["verify", "--from", "20250201T020000Z"], env("damaged"));
    expect(truncated.code).toBe(1);
    expect(truncated.err[0]).toMatch(new RegExp(`${dir}/chroma.tar.gz: size ${tarball.bytes.length - 10} != manifest ${tarball.bytes.length}`));

    // A dump replaced by junk, with a manifest rewritten to match: only pg_restore --list can tell.
    const junk = Buffer.from("PGDMP but not really a dump");
    const manifest = JSON.parse((await getObject(bucket, `${dir}/manifest.json`)).bytes.toString("utf8"));
    const entry = manifest.objects.find((o: { name: string }) => o.name === "postgres.dump");
    Object.assign(entry, { size: junk.length, sha256: createHash("sha256").update(junk).digest("hex") });
    manifest.objects = manifest.objects.filter((o: { name: string }) => o.name === "postgres.dump");
    await put(`${dir}/postgres.dump`, junk);
    await put(`${dir}/manifest.json`, JSON.stringify(manifest));
    const invalid = await runJob(["verify"], env("damaged"));
    expect(invalid.code).toBe(1);
    expect(invalid.err[0]).toContain(`${dir}/postgres.dump: not a valid archive`);
  });

  it("a pg_dump that dies mid-stream leaves nothing behind, and latest skips it", async () => {
    await backupOk("midstream", T1);
    // A pg_dump that writes 20 MiB (more than one 16 MiB multipart part) and then fails, as on a lost connection.
    const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pg-"));
    const real = process.env.TEST_PG_BIN!;
    for (const tool of ["psql", "pg_restore"]) fs.symlinkSync(path.join(real, tool), path.join(fakeBin, tool));
    fs.writeFileSync(
      path.join(fakeBin, "pg_dump"),
      `#!/bin/sh\nif [ "$1" = "--version" ]; then exec ${real}/pg_dump --version; fi\nhead -c 20971520 /dev/urandom\necho "pg_dump: error: connection lost" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    const r = await runJob(["backup"], env("midstream", { PG_BIN_DIR: fakeBin }), T2);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/pg_dump failed \(exit 1\): pg_dump: error: connection lost/)]);
    expect(await keysUnder(bucket, "midstream/20250202T020000Z")).toEqual([]);
    const verify = await runJob(["verify", "--from", "latest"], env("midstream"));
    expect(verify.out.join("\n")).toMatch(/20250201T020000Z-[0-9a-f]{8}: verified/);
  });

  it("a run that fails after the dump is listed INCOMPLETE, has no manifest, and latest skips it", async () => {
    await backupOk("partial", T1);
    // A file that claims to be SQLite but is not: the Chroma snapshot fails after the dump is stored.
    const badChroma = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-bad-"));
    fs.writeFileSync(path.join(badChroma, "chroma.sqlite3"), Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(4096, 7)]));
    const r = await runJob(["backup"], env("partial", { CHROMA_DATA_DIR: badChroma }), T2);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    const failed = await backupAt(bucket, "partial", "20250202T020000Z");
    expect(await keysUnder(bucket, "partial/20250202T020000Z")).toEqual([`partial/${failed}/postgres.dump`]);

    const list = await runJob(["list"], env("partial"));
    expect(list.out).toEqual([
      expect.stringMatching(/^20250202T020000Z-[0-9a-f]{8}\s+INCOMPLETE\s.*\(no manifest\.json\)$/),
      expect.stringMatching(/^20250201T020000Z-[0-9a-f]{8}\s+complete\s/),
    ]);
    const latest = await runJob(["verify", "--from", "latest"], env("partial"));
    expect(latest.code).toBe(0);
    expect(latest.out.join("\n")).toMatch(/20250201T020000Z-[0-9a-f]{8}: verified/);
    const explicit = await runJob(["verify", "--from", "20250202T020000Z"], env("partial"));
    expect(explicit.code).toBe(1);
    expect(explicit.err[0]).toMatch(/20250202T020000Z-[0-9a-f]{8} is incomplete \(no manifest\.json\)/);
  });

  it("a later backup, or one in the same second, never changes an earlier one", async () => {
    await backupOk("immutable", T1);
    const first = await backupAt(bucket, "immutable", "20250201T020000Z");
    const keys = await keysUnder(bucket, `immutable/${first}/`);
    expect(keys).toHaveLength(3);
    const before = await Promise.all(keys.map((k) => getObject(bucket, k)));

    await withDb(sourceUrl, (c) => c.query("insert into users (name, joined) values ('after first backup', '2025-02-02')"));
    await backupOk("immutable", T2);
    // The same second again: its own folder (another run id), never the first one's.
    await backupOk("immutable", T1);
    expect(await backupIds(bucket, "immutable", "20250201T020000Z")).toHaveLength(2);

    expect(await keysUnder(bucket, `immutable/${first}/`)).toEqual(keys);
    const after = await Promise.all(keys.map((k) => getObject(bucket, k)));
    for (const [i, b] of before.entries()) {
      expect(after[i].etag).toBe(b.etag);
      expect(after[i].bytes.equals(b.bytes)).toBe(true);
    }
    const second = await getObject(bucket, `immutable/${await backupAt(bucket, "immutable", "20250202T020000Z")}/postgres.dump`);
    expect(second.bytes.equals(before[keys.indexOf(`immutable/${first}/postgres.dump`)].bytes)).toBe(false);
  });

  it("fails up front, in one line naming the variable, when the environment is incomplete", async () => {
    const noDb = jobEnv(bucket, "env");
    const r = await runJob(["backup"], noDb, T3);
    expect(r).toEqual({ code: 1, out: [], err: ["backup-job backup: missing environment variable: DATABASE_URL"] });
    const { BACKUP_BUCKET: _b, AWS_REGION: _r, ...rest } = jobEnv(bucket, "env");
    const list = await runJob(["list"], rest);
    expect(list.err).toEqual(["backup-job list: missing environment variables: BACKUP_BUCKET, AWS_REGION"]);
    const badDb = await runJob(["backup"], env("env", { DATABASE_URL: sourceUrl.replace(/\/[^/]+$/, "/no_such_db") }), T3);
    expect(badDb.code).toBe(1);
    expect(badDb.err).toEqual([expect.stringMatching(/database "no_such_db" does not exist/)]);
    expect(badDb.err[0]).not.toContain("test-master-pw");
    expect(await keysUnder(bucket, "env/")).toEqual([]);
  });
});
