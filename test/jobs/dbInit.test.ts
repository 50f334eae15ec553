/**
 * db-init against the real PostgreSQL from globalSetup: bootstrap, idempotence, what each
 * role may and may not do, extensions, one-line failures, and all-or-nothing on failure.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bootstrap } from "../../jobs/db-init/bootstrap";
import { formatReport } from "../../jobs/db-init/report";
import { loadConfig } from "../../jobs/db-init/config";
import { catalogSnapshot, cleanup, dbInitEnv, uniqueSuffix, withClient } from "./db-init/helpers";

const REPO = path.resolve(__dirname, "../..");
const run = (env: NodeJS.ProcessEnv, dryRun = false) => bootstrap(loadConfig(env), dryRun);
const runCli = (env: NodeJS.ProcessEnv, args: string[] = []) =>
  spawnSync(path.join(REPO, "node_modules/.bin/tsx"), ["jobs/db-init/cli.ts", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });

describe("db-init on a fresh database", () => {
  const suffix = uniqueSuffix();
  const env = dbInitEnv(suffix);
  const db = env.APP_DB_NAME!;
  const roles = [env.DB_OWNER_ROLE!, env.DB_APP_ROLE!, env.DB_BACKUP_ROLE!, env.DB_READONLY_ROLE!];
  const analyst = `analyst_${suffix}`;
  const app = { user: env.DB_APP_ROLE!, password: env.APP_DB_PASSWORD!, database: db };
  const backup = { user: env.DB_BACKUP_ROLE!, password: env.BACKUP_DB_PASSWORD!, database: db };

  beforeAll(async () => {
    await cleanup(env, [analyst]);
  });
  afterAll(async () => {
    await cleanup(env, [analyst]);
  });

  it("bootstraps the database, roles, extension and schema", async () => {
    const report = await run(env);
    expect(report.changes).toEqual(
      expect.arrayContaining([
        `created database ${db}`,
        `created role ${env.DB_APP_ROLE} (LOGIN)`,
        `created role ${env.DB_BACKUP_ROLE} (LOGIN)`,
        `created role ${env.DB_READONLY_ROLE} (NOLOGIN)`,
        `created role ${env.DB_OWNER_ROLE} (NOLOGIN)`,
        "created extension pgcrypto",
        "schema.sql: created table app.users",
        "schema.sql: created table app.wallet_onboarding",
      ]),
    );
    await withClient({ database: db }, async (c) => {
      const tables = await c.query("select tablename, tableowner from pg_tables where schemaname = 'app' order by 1");
      expect(tables.rows).toEqual(["conversations", "messages", "users", "wallet_onboarding"].map((t) => ({ tablename: t, tableowner: env.DB_OWNER_ROLE })));
      const r = await c.query("select rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = any($1) order by 1", [roles]);
      for (const row of r.rows) {
        expect([row.rolname, row.rolsuper, row.rolcreatedb, row.rolcreaterole]).toEqual([row.rolname, false, false, false]);
        expect(row.rolcanlogin).toBe(row.rolname === env.DB_APP_ROLE || row.rolname === env.DB_BACKUP_ROLE);
      }
      expect(r.rowCount).toBe(4);
    });
  });

  it("running again changes nothing and says so", async () => {
    const before = await catalogSnapshot(db, roles);
    const report = await run(env);
    const after = await catalogSnapshot(db, roles);
    expect(after).toEqual(before);
    expect(report.changes).toEqual([]);
    expect(report.passwords).toEqual([env.DB_APP_ROLE, env.DB_BACKUP_ROLE]);
    expect(formatReport(report).at(-1)).toBe("nothing to do");
    // and the re-applied password still works
    await expect(withClient(app, async (c) => (await c.query("select current_user as u")).rows[0].u)).resolves.toBe(env.DB_APP_ROLE);
  });

  it("the CLI prints one line per change and 'nothing to do' on a re-run, exit 0", () => {
    const r = runCli(env);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([`re-applied passwords of ${env.DB_APP_ROLE}, ${env.DB_BACKUP_ROLE} (every run)`, "nothing to do"]);
  });

  it("app can read and write its tables", async () => {
    await withClient(app, async (c) => {
      const u = await c.query("insert into users (telegram_id) values (42) returning id");
      const conv = await c.query("insert into conversations (user_id, channel) values ($1, 'telegram') returning id", [u.rows[0].id]);
      await c.query("insert into messages (conversation_id, role, content) values ($1, 'user', 'how do I make a wallet?')", [conv.rows[0].id]);
      await c.query("insert into wallet_onboarding (user_id) values ($1)", [u.rows[0].id]);
      await c.query("update wallet_onboarding set step = 'wallet_chosen', wallet_type = 'metamask' where user_id = $1", [u.rows[0].id]);
      expect((await c.query("select step from wallet_onboarding")).rows).toEqual([{ step: "wallet_chosen" }]);
      const del = await c.query("delete from messages where conversation_id = $1", [conv.rows[0].id]);
      expect(del.rowCount).toBe(1);
      expect((await c.query("select digest('x', 'sha256') is not null as ok")).rows[0].ok).toBe(true); // pgcrypto usable
    });
  });

  it("app cannot create tables anywhere, truncate, or connect to other databases", async () => {
    await withClient(app, async (c) => {
      await expect(c.query("create table app.evil (id int)")).rejects.toThrow(/permission denied for schema app/);
      await expect(c.query("create table public.evil (id int)")).rejects.toThrow(/permission denied for schema public/);
      await expect(c.query("create temp table evil (id int)")).rejects.toThrow(/permission denied to create temporary tables/);
      await expect(c.query("truncate app.messages")).rejects.toThrow(/permission denied/);
      await expect(c.query("create schema evil")).rejects.toThrow(/permission denied for database/);
    });
    await expect(withClient({ ...app, database: "postgres" }, async () => undefined)).rejects.toThrow(/permission denied for database "postgres"/);
    await expect(withClient({ ...app, database: "template1" }, async () => undefined)).rejects.toThrow(/permission denied for database "template1"/);
  });

  it("tables a migration creates later as the owner are usable by app and readable by backup", async () => {
    await withClient({ database: db }, async (c) => {
      await c.query(`set role "${env.DB_OWNER_ROLE}"`);
      await c.query("create table app.faq_feedback (id bigint generated always as identity primary key, helpful boolean)");
    });
    await withClient(app, (c) => c.query("insert into faq_feedback (helpful) values (true)"));
    const rows = await withClient(backup, (c) => c.query("select helpful from app.faq_feedback"));
    expect(rows.rows).toEqual([{ helpful: true }]);
  });

  it("backup can pg_dump the database with the real pg_dump", () => {
    const r = spawnSync(path.join(process.env.TEST_PG_BIN!, "pg_dump"), ["-h", env.PGHOST!, "-p", env.PGPORT!, "-U", backup.user, "-d", db, "--no-password"], {
      env: { PGPASSWORD: backup.password },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/CREATE TABLE app\.users/);
    expect(r.stdout).toMatch(/COPY app\.users \(id, telegram_id, discord_id, locale, created_at, updated_at\) FROM stdin;\n1\t42\t/);
    expect(r.stdout).toMatch(/CREATE EXTENSION IF NOT EXISTS pgcrypto/);
  });

  it("backup cannot write or create", async () => {
    await withClient(backup, async (c) => {
      await expect(c.query("insert into users (telegram_id) values (7)")).rejects.toThrow(/permission denied for table users/);
      await expect(c.query("update users set locale = 'de'")).rejects.toThrow(/permission denied for table users/);
      await expect(c.query("delete from users")).rejects.toThrow(/permission denied for table users/);
      await expect(c.query("create table app.x (id int)")).rejects.toThrow(/permission denied for schema app/);
      await expect(c.query("select nextval('app.users_id_seq')")).rejects.toThrow(/permission denied for sequence/);
    });
  });

  it("readonly is a NOLOGIN group whose members can only SELECT", async () => {
    await withClient({}, async (c) => {
      await c.query(`create role "${analyst}" login password 'analyst-password-123' in role "${env.DB_READONLY_ROLE}"`);
    });
    await expect(withClient({ user: env.DB_READONLY_ROLE!, password: "x", database: db }, async () => undefined)).rejects.toThrow(
      /not permitted to log in|password authentication failed/,
    );
    await withClient({ user: analyst, password: "analyst-password-123", database: db }, async (c) => {
      expect((await c.query("select count(*)::int as n from users")).rows[0].n).toBe(1);
      await expect(c.query("insert into users (telegram_id) values (8)")).rejects.toThrow(/permission denied for table users/);
      await expect(c.query("delete from users")).rejects.toThrow(/permission denied for table users/);
      await expect(c.query("create table app.x (id int)")).rejects.toThrow(/permission denied for schema app/);
    });
  });

  it("a re-run restores privileges someone widened by hand, and reports it", async () => {
    await withClient({ database: db }, (c) => c.query(`grant truncate on app.messages to "${env.DB_APP_ROLE}"`));
    const report = await run(env);
    expect(report.changes).toEqual([
      `granted SELECT/INSERT/UPDATE/DELETE on tables in app to ${env.DB_APP_ROLE}, SELECT to ${env.DB_BACKUP_ROLE}, ${env.DB_READONLY_ROLE}`,
    ]);
    await withClient(app, async (c) => {
      await expect(c.query("truncate app.messages")).rejects.toThrow(/permission denied/);
    });
  });

  it("a dry run reports a new extension without creating it", async () => {
    const extEnv = { ...env, DB_EXTENSIONS: "pgcrypto,citext" };
    const available = await withClient({}, (c) => c.query("select name from pg_available_extensions where name = 'citext'"));
    expect(available.rowCount).toBe(1);
    const report = await run(extEnv, true);
    expect(report.changes).toEqual(["would create extension citext"]);
    expect(formatReport(report).at(-1)).toBe("dry run: 1 change(s), none applied");
    const ext = await withClient({ database: db }, (c) => c.query("select 1 from pg_extension where extname = 'citext'"));
    expect(ext.rowCount).toBe(0);
  });

  it("a failure midway leaves the database exactly as it was", async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dbinit-")), "schema.sql");
    fs.writeFileSync(bad, "create table if not exists half_done (id int);\n\nselect * from no_such_table;\n");
    const newRole = `readonly2_${suffix}`;
    const failing = { ...env, SCHEMA_FILE: bad, DB_EXTENSIONS: "pgcrypto,citext", DB_READONLY_ROLE: newRole };
    const before = await catalogSnapshot(db, [...roles, newRole]);
    await expect(run(failing)).rejects.toThrow(new RegExp(`schema file ${bad} line 3: relation "no_such_table" does not exist`));
    expect(await catalogSnapshot(db, [...roles, newRole])).toEqual(before);
    await withClient({ database: db }, async (c) => {
      expect((await c.query("select to_regclass('app.half_done') as t")).rows[0].t).toBeNull();
      expect((await c.query("select 1 from pg_extension where extname = 'citext'")).rowCount).toBe(0);
      expect((await c.query("select 1 from pg_roles where rolname = $1", [newRole])).rowCount).toBe(0);
    });
  });
});

describe("db-init failures", () => {
  it("a failure on a fresh database removes the database it created and creates no role", async () => {
    const suffix = uniqueSuffix();
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dbinit-")), "schema.sql");
    fs.writeFileSync(bad, "create table t (id int);\nthis is not sql;\n");
    const env = dbInitEnv(suffix, { SCHEMA_FILE: bad });
    try {
      await expect(run(env)).rejects.toThrow(/line 2: syntax error at or near "this".*dropped database/);
      await withClient({}, async (c) => {
        expect((await c.query("select 1 from pg_database where datname = $1", [env.APP_DB_NAME])).rowCount).toBe(0);
        const r = await c.query("select rolname from pg_roles where rolname like $1", [`%_${suffix}`]);
        expect(r.rows).toEqual([]);
      });
    } finally {
      await cleanup(env);
    }
  });

  it("a wrong master password exits 1 with one line naming host, port and user", () => {
    const env = dbInitEnv(uniqueSuffix(), { DB_MASTER_PASSWORD: "wrong-password" });
    const r = runCli(env);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `db-init: cannot connect to ${env.PGHOST}:${env.PGPORT} as postgres (database postgres): password authentication failed for user "postgres"\n`,
    );
  });

  it("missing and invalid env exit 2 with one line naming every variable", () => {
    const env = dbInitEnv(uniqueSuffix(), { DB_EXTENSIONS: "pgcrypto,bad;drop" });
    delete env.APP_DB_NAME;
    delete env.BACKUP_DB_PASSWORD;
    const r = runCli(env, ["--dry-run"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('db-init: missing env APP_DB_NAME, BACKUP_DB_PASSWORD; invalid DB_EXTENSIONS entry "bad;drop" (extension name: [a-z_][a-z0-9_-]*)\n');
  });

  it("reads the master credentials from an RDS-style secret and defaults to sslmode require", () => {
    const env = dbInitEnv(uniqueSuffix(), { DB_MASTER_SECRET: JSON.stringify({ username: "master", password: "pw", engine: "postgres" }), PGSSLMODE: "" });
    delete env.DB_MASTER_USER;
    delete env.DB_MASTER_PASSWORD;
    const cfg = loadConfig(env);
    expect([cfg.masterUser, cfg.masterPassword, cfg.sslMode]).toEqual(["master", "pw", "require"]);
    expect(() => loadConfig({ ...env, DB_MASTER_SECRET: "not json" })).toThrow(/^invalid DB_MASTER_SECRET/);
  });
});
