/**
 * Abuse control (issue 17): per-client rate limits, normalised path matching, and the common rule
 * set's 8 KB body limit scoped away from the chat path, as config says, and as the report shows.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { one, planFor } from "./support/plan";
import { markdownReport } from "../tools/plan/markdown";
import type { RenderedStack } from "../tools/plan/render";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "waf-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function stagingWith(changes: Record<string, unknown>): string {
  const doc = YAML.parse(fs.readFileSync(path.resolve(__dirname, "../Pulumi.staging.yaml"), "utf8"));
  Object.assign(doc.config, changes);
  const file = path.join(dir, `${Object.keys(changes).length}-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

const rulesOf = (r: RenderedStack) => one(r.plan, "aws:wafv2/webAcl:WebAcl").inputs.rules as any[];
const rule = (r: RenderedStack, name: string) => rulesOf(r).find((x) => x.name === name);
const TRANSFORMS = [
  { priority: 0, type: "URL_DECODE" },
  { priority: 1, type: "NORMALIZE_PATH" },
  { priority: 2, type: "LOWERCASE" },
];

describe("WAF abuse control of staging", () => {
  let staging: RenderedStack;
  let custom: RenderedStack;
  let off: RenderedStack;
  beforeAll(async () => {
    staging = await planFor("staging");
    custom = await planFor("staging", {
      configFile: stagingWith({
        "chatbot:wafClientKeyHeader": "x-user-id",
        "chatbot:wafClientRateLimitPer5Min": 250,
        "chatbot:wafLargeBodyPaths": ["/api/chat", "/API/Upload"],
        "chatbot:wafPathRateLimits": ["/API/Chat=50"],
      }),
    });
    off = await planFor("staging", { configFile: stagingWith({ "chatbot:wafClientKeyHeader": "", "chatbot:wafLargeBodyPaths": [] }) });
  });

  it("limits each client by the configured header, before the per-IP limit", () => {
    const client = rule(staging, "rate-per-client");
    expect(client.action).toEqual({ block: {} });
    expect(client.statement.rateBasedStatement).toEqual({
      aggregateKeyType: "CUSTOM_KEYS",
      evaluationWindowSec: 300,
      limit: Number(staging.config.config["chatbot:wafClientRateLimitPer5Min"]),
      customKeys: [{ header: { name: staging.config.config["chatbot:wafClientKeyHeader"], textTransformations: [{ priority: 0, type: "NONE" }] } }],
    });
    expect(client.priority).toBeLessThan(rule(staging, "rate-per-ip").priority);
    expect(rule(custom, "rate-per-client").statement.rateBasedStatement).toMatchObject({ limit: 250, customKeys: [{ header: { name: "x-user-id" } }] });
    expect(rule(off, "rate-per-client")).toBeUndefined();
  });

  it("matches paths URL-decoded, normalised and lower-cased, so /API/%63hat counts as /api/chat", () => {
    const perPath = rulesOf(staging).filter((r) => r.statement.rateBasedStatement?.scopeDownStatement);
    expect(perPath.length).toBe(2);
    for (const r of perPath) expect(r.statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.textTransformations).toEqual(TRANSFORMS);
    const lowered = rulesOf(custom).find((r) => r.statement.rateBasedStatement?.scopeDownStatement)!;
    expect(lowered.statement.rateBasedStatement.scopeDownStatement.byteMatchStatement.searchString).toBe("/api/chat");
  });

  it("counts instead of blocking the common rule set's body limit, and blocks bodies over 8 KB on every other path", () => {
    const crs = rule(staging, "AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement;
    expect(crs.ruleActionOverrides).toEqual([{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
    const body = rule(staging, "body-size");
    expect(body.action).toEqual({ block: {} });
    const [size, not] = body.statement.andStatement.statements;
    expect(size.sizeConstraintStatement).toMatchObject({ comparisonOperator: "GT", size: 8192, fieldToMatch: { body: { oversizeHandling: "MATCH" } } });
    expect(not.notStatement.statement.byteMatchStatement).toMatchObject({
      searchString: "/api/chat",
      positionalConstraint: "STARTS_WITH",
      textTransformations: TRANSFORMS,
    });
    const several = rule(custom, "body-size").statement.andStatement.statements[1].notStatement.statement.orStatement.statements;
    expect(several.map((s: any) => s.byteMatchStatement.searchString)).toEqual(["/api/chat", "/api/upload"]);
  });

  it("leaves the managed body limit alone when no path is exempt", () => {
    expect(rule(off, "AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides).toBeUndefined();
    expect(rule(off, "body-size")).toBeUndefined();
  });

  it("shows every rule, its key, its paths and their transforms in the Markdown report", () => {
    const row = markdownReport(staging.plan, staging.config)
      .split("\n")
      .find((l) => l.startsWith("| waf-acl | wafv2/webAcl |"))!;
    expect(row).toContain("AWSManagedRulesCommonRuleSet (SizeRestrictions_BODY → count)");
    expect(row).toContain("body-size: block body > 8 KB and not path /api/chat* (url-decode, normalize-path, lowercase)");
    expect(row).toContain("rate-per-client: block over 1000/5 min per header authorization");
    expect(row).toContain("rate-api-chat: block over 300/5 min per ip on path /api/chat* (url-decode, normalize-path, lowercase)");
    expect(row).toContain(`rate-per-ip: block over ${staging.config.config["chatbot:wafRateLimitPer5Min"]}/5 min per ip`);
  });
});
