import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { snapshotDir } from "../../../jobs/backup/chroma";
import { openSqlite } from "../../../jobs/backup/sqlite";

/**
 * Chroma keeps ingesting while the nightly backup runs. SQLite's online backup restarts on
 * every write by another connection; copied 100 pages a step it finished only after the writes
 * stopped. The snapshot must finish while a writer in another process is still committing.
 */
describe("Chroma snapshot under sustained writes", () => {
  it("finishes while another process keeps writing, with a consistent copy", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-busy-src-"));
    const file = path.join(dir, "chroma.sqlite3");
    const db = openSqlite(file);
    db.pragma("journal_mode = WAL");
    db.exec("create table embeddings (id integer primary key, document text)");
    const insert = db.prepare("insert into embeddings (document) values (?)");
    db.exec("begin");
    for (let i = 0; i < 20000; i++) insert.run("x".repeat(2000)); // ~40 MB: 10,000 pages, 100 steps of 100
    db.exec("commit");
    db.close();

    const writer = spawn(
      process.execPath,
      [
        "-e",
        `
      const Database = require(${JSON.stringify(require.resolve("better-sqlite3"))});
      const db = new Database(${JSON.stringify(file)}, { timeout: 5000 });
      const ins = db.prepare("insert into embeddings (document) values (?)");
      process.stdout.write("ready\\n");
      const end = Date.now() + 30000;
      (function loop() { if (Date.now() > end) return; ins.run("w"); setImmediate(loop); })();
    `,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise((resolve) => writer.stdout!.once("data", resolve));
      await new Promise((r) => setTimeout(r, 300));
      const dest = fs.mkdtempSync(path.join(os.tmpdir(), "chroma-busy-dst-"));
      const t0 = Date.now();
      const stats = await snapshotDir(dir, dest);
      const seconds = (Date.now() - t0) / 1000;
      expect(writer.exitCode).toBeNull(); // still writing when the snapshot finished
      expect(seconds).toBeLessThan(15);
      expect(stats.sqliteFiles).toEqual(["chroma.sqlite3"]);
      const copy = openSqlite(path.join(dest, "chroma.sqlite3"), { readonly: true });
      try {
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        expect((copy.prepare("select count(*) as n from embeddings").get() as { n: number }).n).toBeGreaterThanOrEqual(20000);
      } finally {
        copy.close();
      }
    } finally {
      writer.kill("SIGKILL");
    }
  }, 40_000);
});
