/**
 * README's "Restore into a new database", step for step: db-init has bootstrapped the live
 * database and the app wrote to it; a backup (as the backup role); then 1. create an empty
 * database as master, 2. restore into it as master, 3. run db-init with APP_DB_NAME set to it.
 * The app role can then read and write it by unqualified names, and backup can dump it.
 */
import { spawnSync } from "child_process";
import { bootstrap } from "../../jobs/db-init/bootstrap";
import { loadConfig } from "../../jobs/db-init/config";
import { createBucket, jobEnv, runJob } from "./backup/helpers";
import { cleanup, dbInitEnv, PG, uniqueSuffix, withClient } from "./db-init/helpers";

describe("the README restore runbook", () => {
  const env = dbInitEnv(uniqueSuffix());
  const restored = `${env.APP_DB_NAME}_restore`;
  const url = (user: string, password: string, db: string) => `postgresql://${user}:${encodeURIComponent(password)}@${PG.hostname}:${PG.port}/${db}`;
  const master = (db: string) => url(decodeURIComponent(PG.username), decodeURIComponent(PG.password), db);
  afterAll(async () => {
    await withClient({}, (c) => c.query(`drop database if exists "${restored}" with (force)`));
    await cleanup(env);
  });

  it("gives a database the app can use, and that backs up again", async () => {
    await cleanup(env);
    await bootstrap(loadConfig(env), false);
    const app = { user: env.DB_APP_ROLE!, password: env.APP_DB_PASSWORD!, database: env.APP_DB_NAME! };
    await withClient(app, (c) => c.query("insert into users (telegram_id) values (7), (8)"));
    await createBucket("bk-runbook");
    const backupUrl = url(env.DB_BACKUP_ROLE!, env.BACKUP_DB_PASSWORD!, env.APP_DB_NAME!);
    expect((await runJob(["backup"], jobEnv("bk-runbook", "rb", { DATABASE_URL: backupUrl }))).err).toEqual([]);

    // 1. create an empty database; 2. restore as master; 3. db-init on it.
    await withClient({}, (c) => c.query(`create database "${restored}"`));
    const r = await runJob(["restore", "--from", "latest", "--database-url", master(restored)], jobEnv("bk-runbook", "rb"));
    expect(r.err).toEqual([]);
    const healed = await bootstrap(loadConfig({ ...env, APP_DB_NAME: restored }), false);
    expect(healed.changes).toEqual(expect.arrayContaining([`re-owned table app.users (was ${decodeURIComponent(PG.username)}) to ${env.DB_OWNER_ROLE}`]));

    await withClient({ ...app, database: restored }, async (c) => {
      expect((await c.query("select telegram_id::int as t from users order by 1")).rows).toEqual([{ t: 7 }, { t: 8 }]);
      await c.query("insert into users (telegram_id) values (9)");
    });
    const dump = spawnSync(`${process.env.TEST_PG_BIN}/pg_dump`, ["-Fc", "--dbname", url(env.DB_BACKUP_ROLE!, env.BACKUP_DB_PASSWORD!, restored)], {
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    expect(dump.stderr).toBe("");
    expect(dump.status).toBe(0);
  });
});
