/** The stack's CloudWatch dashboard alone: a graph per watched metric, each beside its alarm threshold, and the deploy figures. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import { allResources, THRESHOLDS } from "./fixtures";
import type { Plan } from "../../../tools/plan/types";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

const ALL = allResources(3);

const render = (resources: Record<string, unknown>) =>
  renderComponent(() => {
    const { Dashboard } = load<typeof import("../../../components/monitoring/dashboard")>("components/monitoring/dashboard");
    new Dashboard("dashboard", { namePrefix: "chatbot-test", region: "eu-west-1", thresholds: THRESHOLDS, resources });
  });

const widgetsOf = (plan: Plan): any[] => parseJsonInput(one(plan, DASHBOARD), "dashboardBody").widgets;

describe("Dashboard", () => {
  let plan: Plan;
  let widgets: any[];
  const widget = (title: RegExp) => {
    const found = widgets.filter((w) => title.test(w.properties.title));
    if (found.length !== 1) throw new Error(`expected one widget titled ${title}, found ${found.length}`);
    return found[0].properties;
  };
  beforeAll(async () => {
    plan = await render(ALL);
    widgets = widgetsOf(plan);
  });

  it("owns one dashboard, named after the stack", () => {
    expect(typeCounts(plan)).toEqual({ "chatbot:monitoring:Dashboard": 1, [DASHBOARD]: 1 });
    expect(one(plan, DASHBOARD).inputs.dashboardName).toBe("chatbot-test");
  });

  it("draws 3 ALB, 3 ECS, 3 RDS, 4 Redis, 1 EFS and 1 deploy widget, all in the stack's region, none with a hole", () => {
    expect(widgets).toHaveLength(15);
    for (const w of widgets) expect(w.properties.region).toBe("eu-west-1");
    expect(JSON.stringify(widgets)).not.toMatch(/undefined|null/);
  });

  it("draws each alarm's threshold on its graph, in the graph's unit", () => {
    const line = (title: RegExp) => widget(title).annotations.horizontal;
    expect(line(/^API 5xx rate/)).toEqual([{ label: "alarm", value: 7 }]);
    expect(line(/^API p95/)).toEqual([{ label: "alarm", value: 1.5 }]);
    expect(line(/^ECS CPU/)).toEqual([{ label: "alarm", value: 71 }]);
    expect(line(/^ECS memory/)).toEqual([{ label: "alarm", value: 83 }]);
    expect(line(/^RDS free storage/)).toEqual([{ label: "alarm", value: 9 * 1024 ** 3 }]);
    expect(line(/^RDS connections/)).toEqual([{ label: "alarm", value: 123 }]);
    expect(line(/^Redis evictions/)).toEqual([{ label: "alarm", value: 321 }]);
    expect(line(/^EFS burst/)).toEqual([{ label: "alarm", value: 77 * 1024 ** 3 }]);
    expect(line(/hit rate/)).toEqual([{ label: "floor", value: 55 }]);
  });

  it("plots the 5xx rate only from metrics it defines: target and load-balancer 5xx over requests", () => {
    const rows = widget(/^API 5xx rate/).metrics as any[][];
    const defined = new Set(rows.map((r) => r[r.length - 1].id));
    const expressions = rows.filter((r) => r[0].expression).map((r) => r[0].expression as string);
    for (const ref of expressions.flatMap((e) => e.match(/\b(m\d|errors)\b/g) ?? [])) expect(defined).toContain(ref);
    expect(rows.filter((r) => typeof r[0] === "string").map((r) => [r[1], r[3], r[4].id])).toEqual([
      ["HTTPCode_Target_5XX_Count", "app/api/abc", "m1"],
      ["HTTPCode_ELB_5XX_Count", "app/api/abc", "m2"],
      ["RequestCount", "app/api/abc", "m3"],
    ]);
  });

  it("gives every ECS service its line, and Redis the whole group's hit rate over every node", () => {
    expect(widget(/^ECS CPU/).metrics.map((m: any[]) => [m[3], m[5], m[6].label])).toEqual([
      ["chatbot-test", "chatbot-test-api", "api"],
      ["chatbot-test", "chatbot-test-telegram-bot", "telegram-bot"],
    ]);
    const hitRate = widget(/hit rate/);
    expect(hitRate.yAxis).toEqual({ left: { min: 0, max: 100 } });
    const nodes = hitRate.metrics.filter((m: any[]) => m[1] === "CacheHits").map((m: any[]) => m[3]);
    expect(nodes).toEqual(["chatbot-test-redis-001", "chatbot-test-redis-002", "chatbot-test-redis-003"]);
    const [rate] = hitRate.metrics[0];
    for (const m of hitRate.metrics.slice(1)) expect(rate.expression).toContain(m[4].id);
  });

  it("shows the stack's deploys of the last 30 days against the delivery targets", () => {
    const deploys = widget(/^Deploys/);
    expect(deploys).toMatchObject({ view: "singleValue", period: 30 * 86400, setPeriodToTimeRange: false });
    expect(deploys.annotations.horizontal.map((a: any) => a.value)).toEqual([5, 95]);
    const rows = deploys.metrics.filter((m: any[]) => typeof m[0] === "string");
    expect(rows.map((m: any[]) => [m[0], m[1], m[2], m[3]])).toEqual([
      ["chatbot/deploys", "DeployDurationSeconds", "Stack", "chatbot-test"],
      ["chatbot/deploys", "DeploySuccess", "Stack", "chatbot-test"],
      ["chatbot/deploys", "DeploySuccess", "Stack", "chatbot-test"],
    ]);
  });

  it("draws no widget for a part the stack does not build: only the deploys", async () => {
    const bare = widgetsOf(await render({}));
    expect(bare.map((w) => w.properties.title)).toEqual([expect.stringMatching(/^Deploys/)]);
  });
});
