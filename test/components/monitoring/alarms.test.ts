/** The stack's CloudWatch alarms alone: one per watched metric, paging through the topic directly or once via a composite. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one } from "../../support/plan";
import { allResources, THRESHOLDS } from "./fixtures";
import type { Plan, PlanResource } from "../../../tools/plan/types";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
const TOPIC = "arn:aws:sns:eu-central-1:123456789012:chatbot-test-alerts";
const RUNBOOKS = "https://github.com/example/chatbot/blob/main";

const ALL = allResources(2);

const render = (resources: Record<string, unknown>) =>
  renderComponent(() => {
    const { Alarms } = load<typeof import("../../../components/monitoring/alarms")>("components/monitoring/alarms");
    new Alarms("alarms", { namePrefix: "chatbot-test", topicArn: TOPIC, evaluationMinutes: 4, thresholds: THRESHOLDS, resources, runbookBaseUrl: RUNBOOKS });
  });

describe("Alarms", () => {
  let plan: Plan;
  const alarm = (id: string): PlanResource => one(plan, ALARM, `alarms-${id}`);
  beforeAll(async () => {
    plan = await render(ALL);
  });

  it("owns 3 ALB, 3 per service, 3 RDS, 4 per Redis node and 1 EFS alarm, and the two composites", () => {
    expect(typeCounts(plan)).toEqual({ "chatbot:monitoring:Alarms": 1, [ALARM]: 3 + 2 * 3 + 3 + 2 * 4 + 1, [COMPOSITE]: 2 });
    expect(alarm("redis-002-hit-rate").inputs.name).toBe("chatbot-test-redis-002-hit-rate");
    expect(ofType(plan, COMPOSITE).map((c) => c.inputs.alarmName)).toEqual(["chatbot-test-api-degraded", "chatbot-test-redis-degraded"]);
  });

  it("pages once per failure: each composite ORs its members, which notify no one; every other alarm notifies the topic", () => {
    const rules = Object.fromEntries(ofType(plan, COMPOSITE).map((c) => [c.inputs.alarmName, String(c.inputs.alarmRule).split(" OR ")]));
    expect(rules["chatbot-test-api-degraded"]).toEqual(
      ["alb-5xx-rate", "api-p95-latency", "api-unhealthy-hosts", "api-running-tasks"].map((id) => `ALARM("chatbot-test-${id}")`),
    );
    expect(rules["chatbot-test-redis-degraded"]).toHaveLength(8);
    const members = new Set(Object.values(rules).flat());
    for (const c of ofType(plan, COMPOSITE)) expect(c.inputs).toMatchObject({ alarmActions: [TOPIC], okActions: [TOPIC] });
    for (const a of ofType(plan, ALARM)) {
      const actions = members.has(`ALARM("${a.inputs.name}")`) ? [] : [TOPIC];
      expect([a.inputs.name, a.inputs.alarmActions, a.inputs.okActions]).toEqual([a.inputs.name, actions, actions]);
    }
    // A bot's missing task is its own page, not the API's.
    expect(alarm("telegram-bot-running-tasks").inputs.alarmActions).toEqual([TOPIC]);
  });

  it("judges evaluationMinutes 1-minute periods in a row, but a Redis node's hit rate over one hour, once", () => {
    for (const a of ofType(plan, ALARM).filter((x) => !x.name.endsWith("-hit-rate"))) {
      expect(a.inputs).toMatchObject({ evaluationPeriods: 4, datapointsToAlarm: 4 });
      const periods = a.inputs.metricQueries ? (a.inputs.metricQueries as any[]).filter((q) => q.metric).map((q) => q.metric.period) : [a.inputs.period];
      expect(periods.every((p) => p === 60)).toBe(true);
    }
    const hitRate = alarm("redis-001-hit-rate").inputs as any;
    expect(hitRate).toMatchObject({ evaluationPeriods: 1, datapointsToAlarm: 1, comparisonOperator: "LessThanThreshold", threshold: 55 });
    expect(hitRate.metricQueries.filter((q: any) => q.metric).map((q: any) => [q.metric.metricName, q.metric.period])).toEqual([
      ["CacheHits", 3600],
      ["CacheMisses", 3600],
    ]);
  });

  it("treats missing data as its doc says: no traffic is fine, a silent task count breaches, a store's gap keeps the state", () => {
    const missing = Object.fromEntries(ofType(plan, ALARM).map((a) => [String(a.name).replace(/^alarms-/, ""), a.inputs.treatMissingData]));
    expect(missing).toMatchObject({
      "alb-5xx-rate": "notBreaching",
      "api-p95-latency": "notBreaching",
      "api-unhealthy-hosts": "notBreaching",
      "api-cpu": "notBreaching",
      "api-memory": "notBreaching",
      "api-running-tasks": "breaching",
      "db-cpu": "missing",
      "db-free-storage": "missing",
      "redis-001-memory": "missing",
      "redis-001-hit-rate": "notBreaching",
      "efs-burst-credits": "missing",
    });
  });

  it("sets each threshold from its config value, in the metric's own unit", () => {
    expect(alarm("alb-5xx-rate").inputs.threshold).toBe(7);
    expect(alarm("api-p95-latency").inputs).toMatchObject({ threshold: 1.5, extendedStatistic: "p95", metricName: "TargetResponseTime" });
    expect(alarm("api-p95-latency").inputs.statistic).toBeUndefined();
    expect(alarm("telegram-bot-cpu").inputs).toMatchObject({
      threshold: 71,
      dimensions: { ClusterName: "chatbot-test", ServiceName: "chatbot-test-telegram-bot" },
    });
    expect(alarm("api-memory").inputs.threshold).toBe(83);
    expect(alarm("db-free-storage").inputs).toMatchObject({ threshold: 9 * 1024 ** 3, comparisonOperator: "LessThanThreshold" });
    expect(alarm("db-connections").inputs.threshold).toBe(123);
    expect(alarm("redis-002-evictions").inputs).toMatchObject({ threshold: 321, statistic: "Sum", dimensions: { CacheClusterId: "chatbot-test-redis-002" } });
    expect(alarm("efs-burst-credits").inputs).toMatchObject({ threshold: 77 * 1024 ** 3, dimensions: { FileSystemId: "fs-123" } });
  });

  it("computes the 5xx rate over target and load-balancer 5xx against requests, returning only the rate", () => {
    const queries = alarm("alb-5xx-rate").inputs.metricQueries as any[];
    expect(queries.filter((q) => q.returnData).map((q) => q.id)).toEqual(["e1"]);
    expect(queries.filter((q) => q.metric).map((q) => [q.id, q.metric.metricName, q.metric.dimensions])).toEqual([
      ["m1", "HTTPCode_Target_5XX_Count", { LoadBalancer: "app/api/abc" }],
      ["m2", "HTTPCode_ELB_5XX_Count", { LoadBalancer: "app/api/abc" }],
      ["m3", "RequestCount", { LoadBalancer: "app/api/abc" }],
    ]);
    expect(alarm("api-unhealthy-hosts").inputs.dimensions).toEqual({ LoadBalancer: "app/api/abc", TargetGroup: "targetgroup/api/def" });
  });

  it("links each alarm's runbook, one per kind: every service's CPU alarm shares one", () => {
    expect(alarm("api-cpu").inputs.alarmDescription).toBe(`api: ECS service CPU above 71%. Runbook: ${RUNBOOKS}/docs/runbooks/ecs-service-cpu.md`);
    expect(alarm("telegram-bot-cpu").inputs.alarmDescription).toMatch(/Runbook: \S+\/docs\/runbooks\/ecs-service-cpu\.md$/);
    expect(one(plan, COMPOSITE, "alarms-redis-degraded").inputs.alarmDescription).toMatch(/Runbook: \S+\/docs\/runbooks\/redis-degraded\.md$/);
  });

  it("alarms on the lag of each read replica, when there are any, and declares no composite without members", async () => {
    const replicated = await render({ database: { instanceIdentifier: "db", replicaIdentifiers: ["db-r1", "db-r2"] } });
    expect(
      ofType(replicated, ALARM)
        .map((a) => a.name)
        .sort(),
    ).toEqual(["alarms-db-connections", "alarms-db-cpu", "alarms-db-free-storage", "alarms-db-replica-1-lag", "alarms-db-replica-2-lag"]);
    expect(one(replicated, ALARM, "alarms-db-replica-2-lag").inputs).toMatchObject({
      metricName: "ReplicaLag",
      threshold: 42,
      dimensions: { DBInstanceIdentifier: "db-r2" },
    });
    expect(ofType(replicated, COMPOSITE)).toEqual([]);
    expect(typeCounts(await render({}))).toEqual({ "chatbot:monitoring:Alarms": 1 });
  });
});
