import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openSqlite, SqliteDb } from "../../../jobs/backup/sqlite";
import { backupAt, createBucket, createDatabase, jobEnv, keysUnder, runJob, seed, snapshot, withDb } from "./helpers";

/** Back up a seeded database and a live Chroma-like dir, restore both elsewhere, compare. */
describe("backup job round trip", () => {
  const bucket = "bk-roundtrip";
  const prefix = "chatbot-test";
  const at = new Date("2025-01-31T02:00:00Z");
  let sourceUrl: string;
  let chromaDir: string;
  let live: SqliteDb;
  const hnsw = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));

  beforeAll(async () => {
    await createBucket(bucket);
    sourceUrl = await createDatabase(`rt_src_${process.pid}`);
    await seed(sourceUrl);
    chromaDir = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-src-"));
    fs.mkdirSync(path.join(chromaDir, "6f1c2a9e-segment"));
    fs.writeFileSync(path.join(chromaDir, "6f1c2a9e-segment", "data_level0.bin"), hnsw);
    // Chroma keeps its SQLite open in WAL mode; with checkpoints off, the rows live only in the
    // -wal file, so a plain copy of chroma.sqlite3 would lose them and this test would catch it.
    live = openSqlite(path.join(chromaDir, "chroma.sqlite3"));
    live.pragma("journal_mode = WAL");
    live.pragma("wal_autocheckpoint = 0");
    live.exec("create table embeddings (id integer primary key, document text, vector blob)");
    const insert = live.prepare("insert into embeddings (document, vector) values (?, ?)");
    for (let i = 0; i < 200; i++) insert.run(`doc ${i} — ökonomisch 🚀`, Buffer.from([i & 0xff, 0, 255, i >> 8]));
  });

  afterAll(() => live?.close());

  it("backs up the database and the Chroma dir while its SQLite db is open", async () => {
    expect(fs.statSync(path.join(chromaDir, "chroma.sqlite3-wal")).size).toBeGreaterThan(0);
    const r = await runJob(["backup"], jobEnv(bucket, prefix, { DATABASE_URL: sourceUrl, CHROMA_DATA_DIR: chromaDir }), at);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const id = await backupAt(bucket, prefix, "20250131T020000Z");
    expect(await keysUnder(bucket, `${prefix}/`)).toEqual([`${prefix}/${id}/chroma.tar.gz`, `${prefix}/${id}/manifest.json`, `${prefix}/${id}/postgres.dump`]);
  });

  it("lists and verifies the backup", async () => {
    const list = await runJob(["list"], jobEnv(bucket, prefix));
    expect(list.code).toBe(0);
    expect(list.out).toHaveLength(1);
    expect(list.out[0]).toMatch(/^20250131T020000Z-[0-9a-f]{8}\s+complete\s/);
    const verify = await runJob(["verify", "--from", "latest"], jobEnv(bucket, prefix));
    expect(verify.err).toEqual([]);
    expect(verify.out.join("\n")).toMatch(/20250131T020000Z-[0-9a-f]{8}: verified/);
  });

  it("restores into a fresh database and an empty dir with identical data", async () => {
    const targetUrl = await createDatabase(`rt_dst_${process.pid}`);
    const targetChroma = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "chroma-dst-")), "data");
    const r = await runJob(["restore", "--from", "latest", "--database-url", targetUrl, "--chroma-dir", targetChroma], jobEnv(bucket, prefix));
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(await snapshot(targetUrl)).toEqual(await snapshot(sourceUrl));
    // The sequence continues where the source left off instead of reissuing numbers.
    const next = await withDb(targetUrl, (c) => c.query("select nextval('invoice_no')::int as n"));
    expect(next.rows[0].n).toBe(1000 + 50 + 7);

    expect(fs.readFileSync(path.join(targetChroma, "6f1c2a9e-segment", "data_level0.bin")).equals(hnsw)).toBe(true);
    const restored = openSqlite(path.join(targetChroma, "chroma.sqlite3"), { readonly: true });
    try {
      expect(restored.prepare("select id, document, vector from embeddings order by id").all()).toEqual(
        live.prepare("select id, document, vector from embeddings order by id").all(),
      );
      expect(restored.prepare("select count(*) as n from embeddings").get()).toEqual({ n: 200 });
    } finally {
      restored.close();
    }
    expect(fs.readdirSync(targetChroma).filter((n) => n.startsWith(".restore-"))).toEqual([]);
  });

  it("refuses a non-empty target database or chroma dir without --force, and replaces with it", async () => {
    const targetUrl = await createDatabase(`rt_busy_${process.pid}`);
    await withDb(targetUrl, (c) => c.query("create table users (id int primary key, name text); insert into users values (99, 'stale')"));
    const refused = await runJob(["restore", "--from", "latest", "--database-url", targetUrl], jobEnv(bucket, prefix));
    expect(refused.code).toBe(1);
    expect(refused.err).toHaveLength(1);
    expect(refused.err[0]).toMatch(/not empty.*--force/);
    const untouched = await withDb(targetUrl, (c) => c.query("select id, name from users"));
    expect(untouched.rows).toEqual([{ id: 99, name: "stale" }]);

    const emptyDbUrl = await createDatabase(`rt_empty_${process.pid}`);
    const busyDir = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-busy-"));
    fs.writeFileSync(path.join(busyDir, "chroma.sqlite3-wal"), "stale wal");
    const dirRefused = await runJob(["restore", "--from", "latest", "--database-url", emptyDbUrl, "--chroma-dir", busyDir], jobEnv(bucket, prefix));
    expect(dirRefused.code).toBe(1);
    expect(dirRefused.err[0]).toMatch(/chroma dir .* not empty/);

    const forced = await runJob(
      ["restore", "--from", "20250131T020000Z", "--database-url", targetUrl, "--chroma-dir", busyDir, "--force"],
      jobEnv(bucket, prefix),
    );
    expect(forced.err).toEqual([]);
    expect(forced.code).toBe(0);
    expect(await snapshot(targetUrl)).toEqual(await snapshot(sourceUrl));
    // The stale WAL is gone: replayed onto the restored database, it would corrupt it.
    expect(fs.existsSync(path.join(busyDir, "chroma.sqlite3-wal"))).toBe(false);
    expect(fs.existsSync(path.join(busyDir, "chroma.sqlite3"))).toBe(true);
  });
});
