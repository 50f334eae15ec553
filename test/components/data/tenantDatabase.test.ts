/** A preview's database on the lender's instance, alone: tenant-named database and roles, their passwords only in KMS-encrypted, unprotected secrets. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one } from "../../support/plan";
import { SECRET } from "../../../tools/plan/types";
import type { Plan } from "../../../tools/plan/types";

const SECRET_TYPE = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const KEY = "arn:aws:kms:eu-central-1:123456789012:key/data";
const HOST = "chatbot-staging-postgres.abcdefghijkl.eu-central-1.rds.amazonaws.com";

describe("TenantDatabase", () => {
  let plan: Plan;
  let names: { dbName: string; roles: Record<string, string> };
  let connections: { username: string; password: string; host: string; port: number; dbname: string }[];
  let urls: string[];
  beforeAll(async () => {
    connections = [];
    urls = [];
    plan = await renderComponent(() => {
      const database = load<typeof import("../../../components/data/database")>("components/data/database");
      // What each secret holds (its value is secret in the plan): the parameters the component passes, and the URL made of them.
      const real = database.connectionParameters;
      jest.spyOn(database, "connectionParameters").mockImplementation((c) => {
        connections.push(c);
        const made = real(c);
        urls.push(made.url);
        return made;
      });
      const { TenantDatabase } = load<typeof import("../../../components/data/tenantDatabase")>("components/data/tenantDatabase");
      const db = new TenantDatabase("postgres", { namePrefix: "chatbot-pr-123", tenant: "pr_123", dbName: "chatbot", host: HOST, port: 5432, kmsKeyArn: KEY });
      names = { dbName: db.dbName, roles: db.roles };
    });
  });

  it("owns two passwords and their two secrets: no instance, key or security group of its own", () => {
    expect(typeCounts(plan)).toEqual({ "chatbot:data:TenantDatabase": 1, "random:index/randomPassword:RandomPassword": 2, [SECRET_TYPE]: 2, [VERSION]: 2 });
  });

  it("names the database and all four roles for the tenant, so none can be the lender's", () => {
    expect(names).toEqual({
      dbName: "chatbot_pr_123",
      roles: { owner: "pr_123_migrator", app: "pr_123_app", backup: "pr_123_backup", readonly: "pr_123_readonly" },
    });
  });

  it("stores the app and backup roles' connections under the stack's name, encrypted with the shared data key", () => {
    expect(
      ofType(plan, SECRET_TYPE)
        .map((s) => [s.inputs.name, s.inputs.kmsKeyId])
        .sort(),
    ).toEqual([
      ["chatbot-pr-123/postgres/app", KEY],
      ["chatbot-pr-123/postgres/backup", KEY],
    ]);
    expect(one(plan, SECRET_TYPE, "postgres-app").inputs.description).toBe(
      "PostgreSQL role pr_123_app of database chatbot_pr_123: connection parameters (JSON) and URL",
    );
  });

  it("connects each role to the tenant's database on the shared instance, with TLS verified", () => {
    expect(connections.map(({ password: _, ...c }) => c).sort((a, b) => a.username.localeCompare(b.username))).toEqual([
      { username: "pr_123_app", host: HOST, port: 5432, dbname: "chatbot_pr_123" },
      { username: "pr_123_backup", host: HOST, port: 5432, dbname: "chatbot_pr_123" },
    ]);
    for (const url of urls)
      expect(url).toMatch(new RegExp(`^postgresql://pr_123_(app|backup):[A-Za-z0-9]{40}@${HOST}:5432/chatbot_pr_123\\?sslmode=verify-full&`));
  });

  it("generates 40 alphanumeric characters per password (unescaped in URLs) and keeps them only as secrets", () => {
    for (const p of ofType(plan, "random:index/randomPassword:RandomPassword")) expect(p.inputs).toMatchObject({ length: 40, special: false });
    expect(new Set(connections.map((c) => c.password)).size).toBe(2);
    for (const v of ofType(plan, VERSION)) expect(v.inputs.secretString).toBe(SECRET);
  });

  it("deletes its secrets at once on destroy, unprotected, so the same preview can be created again straight away", () => {
    for (const s of ofType(plan, SECRET_TYPE)) {
      expect(s.inputs.recoveryWindowInDays).toBe(0);
      expect(s.options).toMatchObject({ protect: false, retainOnDelete: false });
    }
    for (const v of ofType(plan, VERSION)) expect(v.options.retainOnDelete).toBe(false);
  });

  it("makes a tenant marker PostgreSQL can use in names from any stack name", () => {
    const { tenantOf } = load<typeof import("../../../components/data/tenantDatabase")>("components/data/tenantDatabase");
    expect(tenantOf("pr-123")).toBe("pr_123");
    expect(tenantOf("-PR.45--Feature/X-")).toBe("pr_45_feature_x");
    expect(tenantOf("pr-" + "9".repeat(60))).toBe("pr_" + "9".repeat(37));
  });
});
