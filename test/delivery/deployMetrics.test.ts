import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { one, planFor } from "../support/plan";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = "tools/deploy/record-deploy.sh";

describe("deploy.yml records each deploy", () => {
  const wf = YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows/deploy.yml"), "utf8"));
  const script = fs.readFileSync(path.join(ROOT, SCRIPT), "utf8");

  it.each([
    ["staging", "chatbot-staging"],
    ["prod", "chatbot-prod"],
  ])("%s: starts the clock before pulumi up and records duration and result even when a step failed", (job, prefix) => {
    const steps: { name?: string; id?: string; run?: string; if?: string; env?: Record<string, string> }[] = wf.jobs[job].steps;
    const at = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred);
    const start = at((s) => s.id === "started");
    const up = at((s) => s.name === "pulumi up");
    const record = at((s) => !!s.run?.includes(SCRIPT));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(start).toBeLessThan(up);
    expect(record).toBe(steps.length - 1);
    expect(steps[record].if).toMatch(/always\(\)/);
    expect(steps[record].run).toContain(`${SCRIPT} ${prefix} "$STARTED_AT" "$JOB_STATUS"`);
    expect(steps[record].env).toEqual({ STARTED_AT: "${{ steps.started.outputs.at }}", JOB_STATUS: "${{ job.status }}" });
  });

  it("writes the job summary and the metrics the dashboard reads", () => {
    expect(script).toContain("GITHUB_STEP_SUMMARY");
    expect(script).toMatch(/put-metric-data --namespace "chatbot\/deploys"/);
    expect(script).toContain("MetricName=DeployDurationSeconds,Dimensions=[{Name=Stack,Value=${prefix}}]");
    expect(script).toContain("MetricName=DeploySuccess,Dimensions=[{Name=Stack,Value=${prefix}}]");
  });
});

describe("the dashboard shows deploys against the targets", () => {
  it.each(["staging", "prod"])("%s", async (stack) => {
    const { plan } = await planFor(stack);
    const body = JSON.parse(one(plan, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody as string);
    const w = body.widgets.find((x: any) => /^Deploys/.test(x.properties.title));
    expect(w).toBeDefined();
    const rows = w.properties.metrics.filter((m: unknown[]) => m[0] === "chatbot/deploys");
    expect(rows.map((m: unknown[]) => [m[1], m[3]])).toEqual([
      ["DeployDurationSeconds", `chatbot-${stack}`],
      ["DeploySuccess", `chatbot-${stack}`],
      ["DeploySuccess", `chatbot-${stack}`],
    ]);
    expect(w.properties.period).toBe(30 * 86400);
    expect(w.properties.annotations.horizontal.map((a: { value: number }) => a.value)).toEqual([5, 95]);
  });
});
