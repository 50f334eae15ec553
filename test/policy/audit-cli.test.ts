/** The offline audit: runAudit's verdict and main()'s exit status against fixture plans. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, runAudit } from "../../tools/audit/cli";
import { formatAudit } from "../../tools/audit/audit";
import type { Rule } from "../../policy/rules";
import type { Plan } from "../../tools/plan/types";
import { compliantResources, plan, T } from "./fixtures";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, p: Plan): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(p));
  return file;
}

function io(renderPlan?: (o: { stack: string; configFile?: string; secretsFile?: string }) => Promise<Plan>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), renderPlan } };
}

function withoutMultiAz(tier: string): Plan {
  return plan(
    compliantResources().map((r) => (r.type === T.rds ? { ...r, inputs: { ...r.inputs, multiAz: false } } : r)),
    tier,
  );
}

describe("runAudit", () => {
  it("passes the compliant fixture stack on every rule", () => {
    const result = runAudit(plan(compliantResources()));
    const failed = result.rules.filter((r) => r.status === "FAIL");
    expect(failed.map((r) => [r.name, r.violations])).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.tier).toBe("production");
  });

  it("fails a production plan whose database is single-AZ, naming the resource", () => {
    const result = runAudit(withoutMultiAz("production"));
    expect(result.passed).toBe(false);
    const rds = result.rules.find((r) => r.name === "rds-production-resilience")!;
    expect(rds.status).toBe("FAIL");
    expect(rds.violations).toEqual([expect.objectContaining({ urn: expect.stringContaining("aws:rds/instance:Instance::db"), name: "db", type: T.rds })]);
    expect(formatAudit(result)).toMatch(/FAIL rds-production-resilience[\s\S]*aws:rds\/instance:Instance::db[\s\S]*multiAz/);
  });

  it("takes the tier from the plan output", () => {
    expect(runAudit(withoutMultiAz("preview")).passed).toBe(true);
  });

  it("counts advisory failures without failing the audit", () => {
    const advisory: Rule = {
      kind: "resource",
      name: "always-advisory",
      description: "test rule that always complains",
      enforcementLevel: "advisory",
      check: (r) => (r.type === T.kms ? ["hint"] : []),
    };
    const result = runAudit(plan(compliantResources()), [advisory]);
    expect(result.rules[0].status).toBe("FAIL");
    expect(result.advisoryFailures).toBe(1);
    expect(result.passed).toBe(true);
  });
});

describe("main (exit status)", () => {
  it("0 for a compliant plan, with PASS lines; --json writes the results", async () => {
    const json = path.join(dir, "ok-result.json");
    const t = io();
    expect(await main(["--plan", write("ok.json", plan(compliantResources())), "--json", json], t.io)).toBe(0);
    expect(t.out.join("")).toMatch(/PASS s3-public-access-block/);
    const written = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(written.passed).toBe(true);
    expect(written.rules.length).toBeGreaterThan(20);
  });

  it("1 when a mandatory rule fails", async () => {
    const t = io();
    expect(await main(["--plan", write("bad.json", withoutMultiAz("production"))], t.io)).toBe(1);
    expect(t.out.join("")).toMatch(/FAIL rds-production-resilience/);
  });

  it("renders the stack through renderPlan with --config/--secrets", async () => {
    const calls: unknown[] = [];
    const t = io(async (o) => {
      calls.push(o);
      return withoutMultiAz("staging");
    });
    expect(await main(["staging", "--config", "c.yaml", "--secrets=s.yaml"], t.io)).toBe(0);
    expect(calls).toEqual([{ stack: "staging", configFile: "c.yaml", secretsFile: "s.yaml" }]);
  });

  it.each([
    [[] as string[], /stack name/],
    [["prod", "--bogus"], /unknown option "--bogus"/],
    [["prd"], /unknown stack "prd"; did you mean "prod"\?/],
    [["prod", "--json"], /--json needs a value/],
    [["prod", "extra"], /unexpected argument extra/],
  ])("2 on usage errors: %j", async (argv, message) => {
    const t = io(async () => plan(compliantResources()));
    expect(await main(argv, t.io)).toBe(2);
    expect(t.err.join("")).toMatch(message);
  });

  it("1 when the config is invalid (a failed check, as in npm run plan), its message as is", async () => {
    const t = io(async () => {
      throw Object.assign(new Error("invalid config: chatbot:dbInstanceClass = 'huge'"), { issues: [{ key: "dbInstanceClass" }] });
    });
    expect(await main(["prod"], t.io)).toBe(1);
    expect(t.err.join("")).toBe("invalid config: chatbot:dbInstanceClass = 'huge'\n");
  });

  it("1 with one prefixed line when the render fails otherwise; 2 when the --plan file is unreadable", async () => {
    const t = io(async () => {
      throw new Error("audit: boom");
    });
    expect(await main(["prod"], t.io)).toBe(1);
    expect(t.err.join("")).toBe("audit: boom\n");
    const u = io();
    expect(await main(["--plan", path.join(dir, "absent.json")], u.io)).toBe(2);
    expect(u.err.join("")).toMatch(/^audit: cannot read the plan .*absent\.json/);
  });

  it("2 when the plan's tier is not a known tier", async () => {
    const t = io();
    expect(await main(["--plan", write("tier.json", plan(compliantResources(), "qa"))], t.io)).toBe(2);
    expect(t.err.join("")).toMatch(/tier/);
  });
});
