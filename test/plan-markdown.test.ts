import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { markdownReport } from "../tools/plan/markdown";
import { architecture, checkMermaid, mermaid, mermaidId } from "../tools/plan/mermaid";
import type { RenderedStack } from "../tools/plan/render";
import { ofType, one, planFor } from "./support/plan";

/** Distinctive secret values that pass validation; none may reach the report. */
const SECRETS: Record<string, string> = {
  telegramBotToken: "987654:SENTINELtelegramSENTINELtelegramSENTINEL",
  discordBotToken: "SENTINEL-discord-token-5f1e",
  appSecretKey: "SENTINEL-app-secret-key-0123456789abcdef",
  stripeApiKey: "sk_test_SENTINELstripe4242",
  llmApiKey: "SENTINEL-llm-key-77",
  sentryAuthToken: "SENTINEL-sentry-auth-88",
};

describe("Markdown report of staging", () => {
  let first: RenderedStack;
  let report: string;
  let again: string;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-md-"));
    const secretsFile = path.join(dir, "secrets.yaml");
    fs.writeFileSync(secretsFile, Object.entries(SECRETS).map(([k, v]) => `${k}: "${v}"`).join("\n") + "\n");
    first = await planFor("staging", { secretsFile });
    report = markdownReport(first.plan, first.config);
    const second = await planFor("staging", { secretsFile });
    again = markdownReport(second.plan, second.config);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("has a title with the stack and counts, and a summary per component", () => {
    const protectedCount = first.plan.resources.filter((r) => r.options.protect).length;
    expect(report.split("\n")[0]).toBe(`# Plan: chatbot/staging: ${first.plan.resources.length} resources, ${protectedCount} protected`);
    expect(report).toContain("| network:Network network |");
  });

  it("is byte-for-byte stable across renders", () => {
    expect(again).toBe(report);
  });

  it("shows no secret value, and says which secrets were supplied", () => {
    expect(first.config.secretKeys.length).toBeGreaterThan(0);
    for (const value of Object.values(SECRETS)) expect(report).not.toContain(value);
    expect(report).not.toContain("SENTINEL");
    expect(report).toContain("all supplied by `--secrets`");
  });

  it("draws every component as a subgraph, in syntax the checker accepts", () => {
    const diagram = report.slice(report.indexOf("```mermaid\n") + 11, report.indexOf("\n```", report.indexOf("```mermaid")));
    expect(diagram).toBe(mermaid(first.plan));
    expect(checkMermaid(diagram)).toEqual([]);
    const components = first.plan.resources.filter((r) => r.type.startsWith("chatbot:"));
    expect(components.length).toBeGreaterThan(1);
    for (const c of components) expect(diagram).toContain(`subgraph ${mermaidId(`${c.type.split(":").slice(1).join(":")} ${c.name}`)}[`);
  });

  it("draws internet -> ALB -> api -> postgres / redis / chroma from the security-group rules", () => {
    const { edges } = architecture(first.plan);
    const has = (from: string, to: string) => edges.some((e) => e.kind === "network" && e.from === from && e.to === to);
    const alb = mermaidId(one(first.plan, "aws:lb/loadBalancer:LoadBalancer").name);
    const api = mermaidId(one(first.plan, "aws:ecs/service:Service", /^api/).name);
    expect(has("internet", alb)).toBe(true);
    expect(has(alb, api)).toBe(true);
    expect(has(api, mermaidId(one(first.plan, "aws:rds/instance:Instance").name))).toBe(true);
    expect(has(api, mermaidId(one(first.plan, "aws:elasticache/replicationGroup:ReplicationGroup").name))).toBe(true);
    expect(has(api, mermaidId(one(first.plan, "aws:ecs/service:Service", /^chroma/).name))).toBe(true);
    // Every rule between two groups becomes an edge unless a side has nothing attached.
    const refRules = ofType(first.plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.referencedSecurityGroupId);
    expect(edges.filter((e) => e.kind === "network").length).toBeGreaterThanOrEqual(refRules.length - 1);
  });

  it("draws the api task's secrets to the stores holding them", () => {
    const api = mermaidId(one(first.plan, "aws:ecs/service:Service", /^api/).name);
    const targets = architecture(first.plan).edges.filter((e) => e.kind === "secret" && e.from === api).map((e) => e.to);
    expect(targets).toEqual(expect.arrayContaining([`${mermaidId("data:Database postgres")}_secrets`]));
  });

  it("shows key settings with security marks and protected resources", () => {
    const rds = one(first.plan, "aws:rds/instance:Instance");
    expect(report).toMatch(new RegExp(`\\| ${rds.options.protect ? "🔒 " : ""}${rds.name} \\| rds/instance \\| .*✅ encrypted`));
    expect(report).toMatch(/\| lb\/listener \| HTTPS 443 .*TLS policy/);
    expect(report).toMatch(/⚠️ in from 0\.0\.0\.0\/0 · port 443/);
  });
});
