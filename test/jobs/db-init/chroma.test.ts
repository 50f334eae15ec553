/**
 * A preview's Chroma database on the lender's Chroma (issue 20), against a FAKE Chroma 0.6.3 on
 * loopback (test/support/fakeChroma.ts), not a real server: db-init's tenant run creates the
 * tenant's database in the default tenant, `--drop` deletes its collections and the database,
 * both idempotent; any other database (default_database, another tenant's) is refused before a
 * request is sent; errors are one line naming the path and the HTTP status.
 */
import { spawn } from "child_process";
import * as path from "path";
import { dropChromaDatabase, ensureChromaDatabase, refuseUnlessTenantDatabase } from "../../../jobs/db-init/chroma";
import { ChromaConfig, ConfigError, loadConfig } from "../../../jobs/db-init/config";
import { DbInitError } from "../../../jobs/db-init/connect";
import { FakeChroma, startFakeChroma } from "../../support/fakeChroma";
import { cleanup, dbInitEnv, withClient } from "./helpers";

const TOKEN = "fake-chroma-token-0123456789abcdefghijklmnopqrstuv";
let chroma: FakeChroma;
beforeEach(async () => {
  chroma = await startFakeChroma(TOKEN);
  // The lender's own data, and another preview's database: neither may be touched.
  chroma.tenants.get("default_tenant")!.get("default_database")!.add("onboarding_docs");
  chroma.tenants.get("default_tenant")!.set("pr_999", new Set(["docs"]));
});
afterEach(() => chroma.close());

const cfgFor = (database: string, token = TOKEN): ChromaConfig => ({ url: chroma.url, token, database, timeoutMs: 2000 });
const databases = () => [...chroma.tenants.get("default_tenant")!.keys()].sort();
const collector = () => {
  const lines: string[] = [];
  return { lines, note: (l: string) => lines.push(l) };
};

describe("the fake Chroma holds db-init to 0.6.3's contract", () => {
  it("refuses a missing or wrong token with 403, answers unknown routes 404, and serves the heartbeat without one", async () => {
    const at = (p: string, headers: Record<string, string> = {}) => fetch(chroma.url + p, { headers }).then((r) => r.status);
    expect(await at("/api/v2/tenants/default_tenant/databases/default_database")).toBe(403);
    expect(await at("/api/v2/tenants/default_tenant/databases/default_database", { Authorization: "Bearer nope" })).toBe(403);
    expect(await at("/api/v2/tenants/default_tenant/databases/default_database", { Authorization: TOKEN })).toBe(403);
    expect(await at("/api/v2/tenants/default_tenant/databases/default_database", { Authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(await at("/api/v1/databases/default_database?tenant=default_tenant", { Authorization: `Bearer ${TOKEN}` })).toBe(404);
    expect(await at("/api/v2/heartbeat")).toBe(200);
  });
});

describe("db-init's tenant database on Chroma", () => {
  it("creates the tenant's database once, with the token, and leaves the others alone", async () => {
    const first = collector();
    await ensureChromaDatabase(cfgFor("pr_7"), "pr_7", false, first.note);
    expect(first.lines).toEqual(["created Chroma database pr_7 (tenant default_tenant)"]);
    expect(databases()).toEqual(["default_database", "pr_7", "pr_999"]);
    expect(chroma.requests.map((r) => `${r.method} ${r.path} ${r.authorized}`)).toEqual([
      "GET /api/v2/tenants/default_tenant/databases/pr_7 true",
      "POST /api/v2/tenants/default_tenant/databases true",
    ]);
    const again = collector();
    await ensureChromaDatabase(cfgFor("pr_7"), "pr_7", false, again.note);
    expect(again.lines).toEqual([]);
    expect(chroma.tenants.get("default_tenant")!.get("default_database")).toEqual(new Set(["onboarding_docs"]));
  });

  it("a dry run only looks: it says what it would create and creates nothing", async () => {
    const dry = collector();
    await ensureChromaDatabase(cfgFor("pr_7"), "pr_7", true, dry.note);
    expect(dry.lines).toEqual(["would create Chroma database pr_7 (tenant default_tenant)"]);
    expect(chroma.requests.map((r) => r.method)).toEqual(["GET"]);
    expect(databases()).toEqual(["default_database", "pr_999"]);
  });

  it("--drop deletes the tenant's collections, then its database; again, it has nothing to do", async () => {
    chroma.tenants.get("default_tenant")!.set("pr_7", new Set(["docs", "faq"]));
    const drop = collector();
    await dropChromaDatabase(cfgFor("pr_7"), "pr_7", false, drop.note);
    expect(drop.lines).toEqual([
      "dropped Chroma collection docs of database pr_7",
      "dropped Chroma collection faq of database pr_7",
      "dropped Chroma database pr_7 (tenant default_tenant)",
    ]);
    expect(chroma.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([
      "/api/v2/tenants/default_tenant/databases/pr_7/collections/docs",
      "/api/v2/tenants/default_tenant/databases/pr_7/collections/faq",
      "/api/v2/tenants/default_tenant/databases/pr_7",
    ]);
    expect(databases()).toEqual(["default_database", "pr_999"]);
    expect(chroma.tenants.get("default_tenant")!.get("pr_999")).toEqual(new Set(["docs"]));
    const again = collector();
    await dropChromaDatabase(cfgFor("pr_7"), "pr_7", false, again.note);
    expect(again.lines).toEqual([]);
  });

  it("refuses default_database, another tenant's database, or no tenant, in one line, sending nothing", async () => {
    const attempts: [string, string | undefined][] = [
      ["default_database", "pr_7"],
      ["pr_999", "pr_7"],
      ["pr_7", undefined],
    ];
    for (const [database, tenant] of attempts) {
      for (const run of [ensureChromaDatabase, dropChromaDatabase]) {
        const err = await run(cfgFor(database), tenant, false, () => undefined).catch((e: Error) => e);
        expect(err).toBeInstanceOf(DbInitError);
        expect((err as Error).message).toMatch(new RegExp(`^Chroma database ${database}: refused, db-init [^\\n]+$`));
      }
    }
    expect(() => refuseUnlessTenantDatabase("default_database", "default_database")).toThrow(/never default_database/);
    expect(chroma.requests).toEqual([]);
    expect(databases()).toEqual(["default_database", "pr_999"]);
  });

  it("fails in one line naming the path and the HTTP status when the token is wrong, and creates nothing", async () => {
    const err = await ensureChromaDatabase(cfgFor("pr_7", "not-the-token"), "pr_7", false, () => undefined).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      "Chroma GET /api/v2/tenants/default_tenant/databases/pr_7: HTTP 403 Forbidden (is CHROMA_TOKEN the server's current token?)",
    );
    expect(databases()).toEqual(["default_database", "pr_999"]);
  });

  it("gives up on a Chroma that does not answer, in one line that says what to check", async () => {
    chroma.hang = true;
    const err = await ensureChromaDatabase({ ...cfgFor("pr_7"), timeoutMs: 300 }, "pr_7", false, () => undefined).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      `Chroma GET /api/v2/tenants/default_tenant/databases/pr_7: no answer within 0.3 s from ${chroma.url}; does the lending stack set lendsToPreviews (its Chroma admits the jobs group)?`,
    );
  });

  it("fails in one line when Chroma cannot be reached", async () => {
    await chroma.close();
    const err = await ensureChromaDatabase(cfgFor("pr_7"), "pr_7", false, () => undefined).catch((e: Error) => e);
    expect((err as Error).message).toMatch(
      /^Chroma GET \/api\/v2\/tenants\/default_tenant\/databases\/pr_7: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
    );
    chroma = await startFakeChroma(TOKEN); // for afterEach
  });
});

describe("db-init's Chroma environment", () => {
  const base = { ...dbInitEnv("cfg_x", { DB_TENANT: "pr_7", APP_DB_NAME: "chatbot_pr_7" }), DB_OWNER_ROLE: "pr_7_migrator" };
  const tenantEnv = { ...base, DB_APP_ROLE: "pr_7_app", DB_BACKUP_ROLE: "pr_7_backup", DB_READONLY_ROLE: "pr_7_readonly" };
  const problem = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig(env);
      return "accepted";
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  };

  it("takes the tenant's name as the Chroma database", () => {
    expect(loadConfig({ ...tenantEnv, CHROMA_URL: "http://chroma.staging.chatbot.internal:8000", CHROMA_TOKEN: TOKEN }).chroma).toEqual({
      url: "http://chroma.staging.chatbot.internal:8000",
      token: TOKEN,
      database: "pr_7",
      timeoutMs: 15_000,
    });
  });

  it("refuses a Chroma database that is not the tenant's, default_database, a missing token, or Chroma without a tenant", () => {
    const url = "http://chroma.staging.chatbot.internal:8000";
    expect(problem({ ...tenantEnv, CHROMA_URL: url, CHROMA_TOKEN: TOKEN, CHROMA_DATABASE: "pr_8" })).toContain(
      "CHROMA_DATABASE=pr_8 (must be the tenant's own name, pr_7)",
    );
    expect(problem({ ...tenantEnv, CHROMA_URL: url, CHROMA_TOKEN: TOKEN, CHROMA_DATABASE: "default_database" })).toContain("CHROMA_DATABASE=default_database");
    expect(problem({ ...tenantEnv, CHROMA_URL: url })).toContain("missing env CHROMA_TOKEN (needed by CHROMA_URL)");
    expect(problem({ ...dbInitEnv("cfg_y"), CHROMA_URL: url, CHROMA_TOKEN: TOKEN })).toContain("CHROMA_URL without DB_TENANT");
    expect(problem({ ...tenantEnv, CHROMA_URL: "chroma:8000", CHROMA_TOKEN: TOKEN })).toContain("CHROMA_URL=chroma:8000 (http:// or https://");
  });
});

describe("db-init end to end: a tenant's PostgreSQL (real) and Chroma (fake) databases, made and dropped", () => {
  const REPO = path.resolve(__dirname, "../../..");
  // Async, not spawnSync: the fake Chroma answers from this process's event loop.
  const runCli = (env: NodeJS.ProcessEnv, args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(path.join(REPO, "node_modules/.bin/tsx"), ["jobs/db-init/cli.ts", ...args], { cwd: REPO, env: { PATH: process.env.PATH, ...env } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
  const tenant = `pr_${Math.floor(Math.random() * 1e9)}`;
  const env = () =>
    dbInitEnv(tenant, {
      DB_TENANT: tenant,
      APP_DB_NAME: `chatbot_${tenant}`,
      DB_OWNER_ROLE: `${tenant}_migrator`,
      DB_APP_ROLE: `${tenant}_app`,
      DB_BACKUP_ROLE: `${tenant}_backup`,
      DB_READONLY_ROLE: `${tenant}_readonly`,
      CHROMA_URL: chroma.url,
      CHROMA_TOKEN: TOKEN,
    });
  afterAll(() =>
    cleanup(
      dbInitEnv(tenant, {
        APP_DB_NAME: `chatbot_${tenant}`,
        DB_OWNER_ROLE: `${tenant}_migrator`,
        DB_APP_ROLE: `${tenant}_app`,
        DB_BACKUP_ROLE: `${tenant}_backup`,
        DB_READONLY_ROLE: `${tenant}_readonly`,
      }),
    ),
  );

  it("the run creates both, --drop removes both, and a second --drop has nothing to do", async () => {
    const up = await runCli(env(), []);
    expect([up.status, up.stderr]).toEqual([0, ""]);
    expect(up.stdout).toContain(`created database chatbot_${tenant}\n`);
    expect(up.stdout).toContain(`created Chroma database ${tenant} (tenant default_tenant)\n`);
    expect(databases()).toEqual(["default_database", tenant, "pr_999"].sort());

    const down = await runCli(env(), ["--drop"]);
    expect([down.status, down.stderr]).toEqual([0, ""]);
    expect(down.stdout).toContain(`dropped Chroma database ${tenant} (tenant default_tenant)\n`);
    expect(databases()).toEqual(["default_database", "pr_999"]);
    const gone = await withClient({}, (c) => c.query("select 1 from pg_database where datname = $1", [`chatbot_${tenant}`]));
    expect(gone.rowCount).toBe(0);

    const again = await runCli(env(), ["--drop"]);
    expect([again.status, again.stdout.trim(), again.stderr]).toEqual([0, "nothing to do", ""]);
    expect(chroma.tenants.get("default_tenant")!.get("default_database")).toEqual(new Set(["onboarding_docs"]));
  });
});
