/**
 * db-init converges from any prior state: concurrent first runs, role attributes and
 * memberships changed by hand, objects the master created in the app schema, large objects the
 * app created; after one run, backup's pg_dump works again.
 */
import { spawnSync } from "child_process";
import { bootstrap } from "../../../jobs/db-init/bootstrap";
import { loadConfig } from "../../../jobs/db-init/config";
import { cleanup, dbInitEnv, PG, uniqueSuffix, withClient } from "./helpers";

const run = (env: NodeJS.ProcessEnv) => bootstrap(loadConfig(env), false);

function dumpAsBackup(env: NodeJS.ProcessEnv) {
  const url = `postgresql://${env.DB_BACKUP_ROLE}@${PG.hostname}:${PG.port}/${env.APP_DB_NAME}`;
  return spawnSync(`${process.env.TEST_PG_BIN}/pg_dump`, ["-Fc", "--dbname", url], {
    env: { PGPASSWORD: env.BACKUP_DB_PASSWORD },
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
  });
}

describe("db-init converges", () => {
  it("two first runs at once on a new database both succeed, three times over", async () => {
    for (let trial = 0; trial < 3; trial++) {
      const env = dbInitEnv(uniqueSuffix());
      try {
        const results = await Promise.allSettled([run(env), run(env)]);
        expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "ok"))).toEqual(["ok", "ok"]);
      } finally {
        await cleanup(env);
      }
    }
  });

  describe("from a state changed by hand", () => {
    const env = dbInitEnv(uniqueSuffix());
    const db = env.APP_DB_NAME!;
    beforeAll(async () => {
      await cleanup(env);
      await run(env);
    });
    afterAll(() => cleanup(env));

    it("resets VALID UNTIL, CONNECTION LIMIT and stray memberships, and reports each", async () => {
      await withClient({}, async (c) => {
        await c.query(`alter role "${env.DB_APP_ROLE}" valid until '2001-01-01' connection limit 0`);
        await c.query(`grant pg_write_all_data to "${env.DB_BACKUP_ROLE}"`);
      });
      const report = await run(env);
      expect(report.changes).toEqual(
        expect.arrayContaining([
          `reset role ${env.DB_APP_ROLE}: VALID UNTIL 2001-01-01T00:00:00Z -> infinity`,
          `reset role ${env.DB_APP_ROLE}: CONNECTION LIMIT 0 -> -1 (none)`,
          `revoked membership of ${env.DB_BACKUP_ROLE} in pg_write_all_data`,
        ]),
      );
      await withClient({ user: env.DB_APP_ROLE, password: env.APP_DB_PASSWORD, database: db }, (c) => c.query("select 1 from users limit 1"));
      expect((await run(env)).changes).toEqual([]);
    });

    it("re-owns a table the master created in the app schema and a large object the app created; backups work again", async () => {
      await withClient({ database: db }, (c) => c.query("create table app.hotfix (id int primary key); insert into app.hotfix values (1)"));
      await withClient({ user: env.DB_APP_ROLE, password: env.APP_DB_PASSWORD, database: db }, (c) => c.query("select lo_from_bytea(0, 'blob')"));
      const broken = dumpAsBackup(env);
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toMatch(/permission denied/);

      const report = await run(env);
      expect(report.changes).toEqual(
        expect.arrayContaining([
          `re-owned table app.hotfix (was ${decodeURIComponent(PG.username)}) to ${env.DB_OWNER_ROLE}`,
          expect.stringMatching(new RegExp(`^re-owned large object \\d+ \\(was ${env.DB_APP_ROLE}\\) to ${env.DB_OWNER_ROLE}$`)),
        ]),
      );
      const healed = dumpAsBackup(env);
      expect(healed.stderr).toBe("");
      expect(healed.status).toBe(0);
      expect((await run(env)).changes).toEqual([]);
    });
  });
});
