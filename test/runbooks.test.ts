/**
 * On-call (issue 17): every alarm any stack declares links its runbook, the runbook exists and says
 * what the alarm means, what to check first and which commands to run; alarms that fire together
 * page once through a composite; the API's release is judged by its 5xx and latency alarms.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ofType, one, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

const ROOT = path.resolve(__dirname, "..");
const METRIC = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const alarmsOf = (plan: Plan) => [...ofType(plan, METRIC), ...ofType(plan, COMPOSITE)];
const nameOf = (a: PlanResource) => String(a.inputs.name ?? a.inputs.alarmName);
const LINK = /Runbook: (?:(https:\/\/\S+?)\/)?(docs\/runbooks\/([a-z0-9-]+)\.md)$/;

describe.each(["staging", "prod", "preview"])("alarms of %s", (stack) => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await planFor(stack));
  });

  it("every alarm's description ends with a link to a runbook file that exists and has the three sections", () => {
    const alarms = alarmsOf(plan);
    // A preview-tier stack watches only what it owns (its API and target group): its data stores are staging's.
    expect(alarms.length).toBeGreaterThan(stack === "preview" ? 5 : 15);
    const missing: string[] = [];
    for (const a of alarms) {
      const m = LINK.exec(String(a.inputs.alarmDescription));
      if (!m) {
        missing.push(`${nameOf(a)}: no runbook link in "${a.inputs.alarmDescription}"`);
        continue;
      }
      const file = path.join(ROOT, m[2]);
      if (!fs.existsSync(file)) {
        missing.push(`${nameOf(a)}: ${m[2]} does not exist`);
        continue;
      }
      const text = fs.readFileSync(file, "utf8");
      for (const section of ["## What it means", "## First checks", "## Commands"]) if (!text.includes(section)) missing.push(`${m[2]}: no "${section}"`);
      expect(String(a.inputs.alarmDescription).length).toBeLessThanOrEqual(1024);
    }
    expect(missing).toEqual([]);
  });

  it("pages once for an API outage: the API's alarms are members of one composite", () => {
    const composite = one(plan, COMPOSITE, "alarms-api-degraded");
    const members = ["alb-5xx-rate", "api-p95-latency", "api-unhealthy-hosts", "api-running-tasks"].map((id) => `chatbot-${stack}-${id}`);
    expect(composite.inputs.alarmRule).toBe(members.map((m) => `ALARM("${m}")`).join(" OR "));
    for (const m of members) expect(ofType(plan, METRIC).find((a) => a.inputs.name === m)!.inputs.alarmActions).toEqual([]);
    expect(composite.options.dependsOn.length).toBeGreaterThanOrEqual(members.length);
  });

  it("rolls an API release back on its 5xx-rate and latency alarms, which exist", () => {
    const service = one(plan, "aws:ecs/service:Service", "api-service");
    const names = [`chatbot-${stack}-alb-5xx-rate`, `chatbot-${stack}-api-p95-latency`];
    expect(service.inputs.alarms).toEqual({ alarmNames: names, enable: true, rollback: true });
    expect(service.inputs.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
    for (const n of names) expect(ofType(plan, METRIC).map((a) => a.inputs.name)).toContain(n);
  });
});

describe("runbook links and alert routing from config", () => {
  let plan: Plan;
  let plain: Plan;
  beforeAll(async () => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    Object.assign(doc.config, {
      "chatbot:runbookBaseUrl": "https://github.com/example/chatbot-infra/blob/main",
      "chatbot:alertWebhookUrl": "https://events.pagerduty.example/integration/abc/enqueue",
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runbooks-"));
    const configFile = path.join(dir, "Pulumi.staging.yaml");
    fs.writeFileSync(configFile, YAML.stringify(doc));
    plan = (await planFor("staging", { configFile })).plan;
    plain = (await planFor("staging")).plan;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("links each runbook under runbookBaseUrl", () => {
    for (const a of alarmsOf(plan)) expect(LINK.exec(String(a.inputs.alarmDescription))?.[1]).toBe("https://github.com/example/chatbot-infra/blob/main");
  });

  it("subscribes the webhook beside the e-mail, over HTTPS, only when configured", () => {
    const subs = ofType(plan, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.parent?.endsWith("::alerts"));
    expect(subs.map((s) => `${s.inputs.protocol} ${s.inputs.endpoint}`).sort()).toEqual([
      "email alerts-staging@chatbot.example",
      "https https://events.pagerduty.example/integration/abc/enqueue",
    ]);
    expect(ofType(plain, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "https")).toEqual([]);
  });
});
