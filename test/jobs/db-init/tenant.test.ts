/**
 * A preview stack's tenant on a shared PostgreSQL (issue 20), against the real server from
 * globalSetup: db-init creates the tenant's database and roles beside a "staging" bootstrap, the
 * tenant's roles cannot connect to or read staging's database, `--drop` removes exactly the
 * tenant's database and roles (and is idempotent), and names without the tenant are refused.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { bootstrap } from "../../../jobs/db-init/bootstrap";
import { ConfigError, loadConfig } from "../../../jobs/db-init/config";
import { dropTenant } from "../../../jobs/db-init/drop";
import { catalogSnapshot, cleanup, dbInitEnv, uniqueSuffix, withClient } from "./helpers";

const REPO = path.resolve(__dirname, "../../..");
const runCli = (env: NodeJS.ProcessEnv, args: string[]) =>
  spawnSync(path.join(REPO, "node_modules/.bin/tsx"), ["jobs/db-init/cli.ts", ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });

/** A tenant's env the way components/data/tenantDatabase.ts names it: chatbot_pr_<n>, pr_<n>_app, ... */
function tenantEnv(tenant: string): NodeJS.ProcessEnv {
  return dbInitEnv(tenant, {
    DB_TENANT: tenant,
    APP_DB_NAME: `chatbot_${tenant}`,
    DB_OWNER_ROLE: `${tenant}_migrator`,
    DB_APP_ROLE: `${tenant}_app`,
    DB_BACKUP_ROLE: `${tenant}_backup`,
    DB_READONLY_ROLE: `${tenant}_readonly`,
    APP_DB_PASSWORD: `pr-app-password-${tenant}`,
    BACKUP_DB_PASSWORD: `pr-backup-password-${tenant}`,
  });
}

const exists = (sql: string, name: string) => withClient({}, async (c) => (await c.query(sql, [name])).rowCount === 1);
const dbExists = (name: string) => exists("select 1 from pg_database where datname = $1", name);
const roleExists = (name: string) => exists("select 1 from pg_roles where rolname = $1", name);

describe("a preview's tenant beside staging on one PostgreSQL", () => {
  const staging = dbInitEnv(uniqueSuffix());
  const tenant = `pr_${Math.floor(Math.random() * 1e9)}`;
  const pr = tenantEnv(tenant);
  const prRoles = [pr.DB_APP_ROLE!, pr.DB_BACKUP_ROLE!, pr.DB_READONLY_ROLE!, pr.DB_OWNER_ROLE!];
  const stagingRoles = [staging.DB_OWNER_ROLE!, staging.DB_APP_ROLE!, staging.DB_BACKUP_ROLE!, staging.DB_READONLY_ROLE!];

  beforeAll(async () => {
    await cleanup(staging);
    await cleanup(pr);
    await bootstrap(loadConfig(staging), false);
    await withClient({ database: staging.APP_DB_NAME }, (c) => c.query("insert into app.users (telegram_id) values (42)"));
  });
  afterAll(async () => {
    await cleanup(pr);
    await cleanup(staging);
  });

  it("creates the tenant's database and roles; its app role works in its own database", async () => {
    const report = await bootstrap(loadConfig(pr), false);
    expect(report.changes).toEqual(expect.arrayContaining([`created database chatbot_${tenant}`, `created role ${tenant}_app (LOGIN)`]));
    const n = await withClient({ user: pr.DB_APP_ROLE, password: pr.APP_DB_PASSWORD, database: pr.APP_DB_NAME }, async (c) => {
      await c.query("insert into users (discord_id) values (7)");
      return (await c.query("select count(*)::int as n from users")).rows[0].n;
    });
    expect(n).toBe(1);
  });

  it("the tenant's roles cannot connect to staging's database, nor take staging's roles", async () => {
    for (const [user, password] of [
      [pr.DB_APP_ROLE!, pr.APP_DB_PASSWORD!],
      [pr.DB_BACKUP_ROLE!, pr.BACKUP_DB_PASSWORD!],
    ]) {
      await expect(withClient({ user, password, database: staging.APP_DB_NAME }, (c) => c.query("select count(*) from app.users"))).rejects.toThrow(
        /permission denied for database/,
      );
    }
    // Inside its own database, staging's roles are not its to assume.
    await withClient({ user: pr.DB_APP_ROLE, password: pr.APP_DB_PASSWORD, database: pr.APP_DB_NAME }, async (c) => {
      await expect(c.query(`set role "${staging.DB_OWNER_ROLE}"`)).rejects.toThrow(/permission denied to set role/);
    });
  });

  it("--drop removes exactly the tenant's database and roles; staging's are as they were", async () => {
    const before = await catalogSnapshot(staging.APP_DB_NAME!, stagingRoles);
    const report = await dropTenant(loadConfig(pr), false);
    expect(report.changes).toEqual([`dropped database chatbot_${tenant}`, ...prRoles.map((r) => `dropped role ${r}`)]);
    expect(await dbExists(pr.APP_DB_NAME!)).toBe(false);
    for (const r of prRoles) expect(await roleExists(r)).toBe(false);
    expect(await catalogSnapshot(staging.APP_DB_NAME!, stagingRoles)).toEqual(before);
    const rows = await withClient({ database: staging.APP_DB_NAME }, (c) => c.query("select telegram_id from app.users"));
    expect(rows.rows.map((r) => String(r.telegram_id))).toEqual(["42"]);
  });

  it("--drop again has nothing to do (a retried destroy succeeds)", async () => {
    const res = runCli(pr, ["--drop"]);
    expect({ status: res.status, stdout: res.stdout.trim(), stderr: res.stderr }).toEqual({ status: 0, stdout: "nothing to do", stderr: "" });
  });

  it("refuses --drop without DB_TENANT, in one line, and drops nothing", async () => {
    const res = runCli(staging, ["--drop"]);
    expect(res.status).toBe(1);
    expect(res.stderr).toBe(
      "db-init: --drop removes only a tenant's database and roles: set DB_TENANT (e.g. pr_123); a stack's own database is never dropped by db-init\n",
    );
    expect(await dbExists(staging.APP_DB_NAME!)).toBe(true);
  });

  it("refuses a tenant whose names do not carry it (staging's names with a tenant set)", () => {
    expect(() => loadConfig({ ...staging, DB_TENANT: tenant })).toThrow(ConfigError);
    const res = runCli({ ...staging, DB_TENANT: tenant }, ["--drop"]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(`APP_DB_NAME=${staging.APP_DB_NAME} (with DB_TENANT=${tenant} every name must carry the tenant`);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });
});
