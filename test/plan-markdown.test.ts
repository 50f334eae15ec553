import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { markdownReport } from "../tools/plan/markdown";
import { architecture, checkMermaid, mermaid, mermaidId, plural } from "../tools/plan/mermaid";
import { componentOf } from "../tools/plan/summary";
import type { RenderedStack } from "../tools/plan/render";
import { one, planFor } from "./support/plan";

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
    fs.writeFileSync(
      secretsFile,
      Object.entries(SECRETS)
        .map(([k, v]) => `${k}: "${v}"`)
        .join("\n") + "\n",
    );
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

  const diagramOf = (r: string) => r.slice(r.indexOf("```mermaid\n") + 11, r.indexOf("\n```", r.indexOf("```mermaid")));

  it("draws one subgraph per part, holding every component's services and stores or a count of the rest", () => {
    const diagram = diagramOf(report);
    expect(diagram).toBe(mermaid(first.plan));
    expect(checkMermaid(diagram)).toEqual([]);
    const parts = [...new Set(first.plan.resources.filter((r) => r.type.startsWith("chatbot:")).map((c) => c.type.split(":")[1]))].sort();
    expect(parts).toEqual(expect.arrayContaining(["containers", "data", "monitoring", "network"]));
    expect(diagram.match(/^ {2}subgraph .*$/gm)).toEqual(parts.map((p) => `  subgraph ${p}_part["${p}"]`));
    // A component with nothing drawn is named in its part's line, with a correct plural.
    expect(diagram).toMatch(/ {4}network_other\["Network: \d+ resources"\]/);
    expect(diagram).not.toMatch(/\b1 resources\b/);
    expect([plural(1, "resource"), plural(0, "resource"), plural(2, "schedule")]).toEqual(["1 resource", "0 resources", "2 schedules"]);
    expect(diagram.split("\n").length).toBeLessThan(80);
  });

  it("is valid Mermaid to mermaid's own parser (and the parser rejects a broken diagram)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mermaid-"));
    const good = path.join(dir, "staging.mmd");
    const bad = path.join(dir, "bad.mmd");
    fs.writeFileSync(good, diagramOf(report));
    fs.writeFileSync(bad, 'flowchart LR\n  a -->|"x"|\n');
    const r = spawnSync(process.execPath, [path.join(__dirname, "delivery/support/parseMermaid.mjs"), good, bad], { encoding: "utf8", timeout: 60_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ [good]: null, [bad]: expect.stringMatching(/Parse error on line 2/) });
  });

  it("draws one edge per client/store pair: internet -> ALB -> api -> postgres / redis / chroma", () => {
    const { edges } = architecture(first.plan);
    const pair = (from: string, to: string) => edges.filter((e) => e.from === from && e.to === to);
    expect(new Set(edges.map((e) => `${e.from} ${e.to}`)).size).toBe(edges.length);
    const alb = mermaidId(one(first.plan, "aws:lb/loadBalancer:LoadBalancer").name);
    const api = mermaidId(one(first.plan, "aws:ecs/service:Service", /^api/).name);
    const postgres = mermaidId(one(first.plan, "aws:rds/instance:Instance").name);
    expect(pair("internet", alb)).toEqual([{ from: "internet", to: alb, ports: ["80", "443"], secrets: false }]);
    expect(pair(alb, api)).toEqual([{ from: alb, to: api, ports: ["8000"], secrets: false }]);
    // The network path and the secrets the api reads from the database's component: one edge.
    expect(pair(api, postgres)).toEqual([{ from: api, to: postgres, ports: ["5432"], secrets: true }]);
    expect(pair(api, mermaidId(one(first.plan, "aws:elasticache/replicationGroup:ReplicationGroup").name))[0].ports).toEqual(["6379"]);
    expect(pair(api, mermaidId(one(first.plan, "aws:ecs/service:Service", /^chroma/).name))[0].ports).toEqual(["8000"]);
    expect(mermaid(first.plan)).toContain(`  ${api} -->|"5432, secrets"| ${postgres}`);
  });

  it("draws secrets a component holds without a store to its part's secrets node, dashed", () => {
    const api = mermaidId(one(first.plan, "aws:ecs/service:Service", /^api/).name);
    const { edges, nodes } = architecture(first.plan);
    const sentry = nodes.find((n) => n.label === "secrets: sentry")!;
    expect(sentry.part).toBe("monitoring");
    expect(edges.find((e) => e.from === api && e.to === sentry.id)).toEqual({ from: api, to: sentry.id, ports: [], secrets: true });
    expect(mermaid(first.plan)).toContain(`  ${api} -.->|"secrets"| ${sentry.id}`);
  });

  it("draws the schedules of one task as one client", () => {
    const { nodes } = architecture(first.plan);
    const scheduled = nodes.filter((n) => n.kind === "scheduled task");
    // The backup job's daily backup and weekly verify are one client; the restore drill is a task of its own.
    expect(scheduled.map((n) => n.label).sort()).toEqual([
      expect.stringMatching(/^scheduled task: .*backup-drill.* \(1 schedule\)$/),
      expect.stringMatching(/^scheduled task: .*backup-job.* \(2 schedules\)$/),
    ]);
    expect(componentOf(first.plan, one(first.plan, "aws:ecs/taskDefinition:TaskDefinition", /^backup-job/))).toMatch(/^shared:/);
  });

  it("shows key settings with security marks and protected resources", () => {
    const rds = one(first.plan, "aws:rds/instance:Instance");
    expect(report).toMatch(new RegExp(`\\| ${rds.options.protect ? "🔒 " : ""}${rds.name} \\| rds/instance \\| .*✅ encrypted`));
    expect(report).toMatch(/\| lb\/listener \| HTTPS 443 .*TLS policy/);
    expect(report).toMatch(/⚠️ in from 0\.0\.0\.0\/0 · port 443/);
  });
});
