/**
 * CloudWatch alarms and the dashboard: every service and store the stack builds is watched, with
 * the thresholds its config states, and every alarm notifies the alert topic.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import { mockState } from "../tools/plan/mockOutputs";
import type { LoadedStackConfig } from "../tools/plan/stackConfig";
import type { Plan, PlanResource } from "../tools/plan/types";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const GIB = 1024 ** 3;

/** The metrics an alarm reads: its single metric, or those of its metric math. */
function metricsOf(a: PlanResource): { namespace: string; metricName: string; dimensions: Record<string, string>; stat: string; period: number }[] {
  const i = a.inputs as any;
  if (i.metricName)
    return [{ namespace: i.namespace, metricName: i.metricName, dimensions: i.dimensions, stat: i.statistic ?? i.extendedStatistic, period: i.period }];
  return (i.metricQueries as any[]).filter((q) => q.metric).map((q) => q.metric);
}

/** The one alarm reading `metricName` with these dimensions. */
function alarmOn(plan: Plan, metricName: string, dimensions: Record<string, string>): PlanResource {
  const found = ofType(plan, ALARM).filter((a) =>
    metricsOf(a).some((m) => m.metricName === metricName && Object.entries(dimensions).every(([k, v]) => m.dimensions?.[k] === v)),
  );
  if (found.length !== 1) throw new Error(`expected one alarm on ${metricName} ${JSON.stringify(dimensions)}, found ${found.length}`);
  return found[0];
}

/**
 * The stack files give several thresholds the same value (CPU and memory are both 80), so a swap
 * would pass unnoticed; a third render uses staging with every threshold distinct.
 */
function distinctThresholds(): string {
  const doc = YAML.parse(fs.readFileSync(path.resolve(__dirname, "../Pulumi.staging.yaml"), "utf8"));
  Object.assign(doc.config, {
    "chatbot:alarmEvaluationMinutes": 4,
    "chatbot:alarmAlb5xxPercent": 7,
    "chatbot:alarmTargetResponseMs": 1500,
    "chatbot:alarmCpuPercent": 71,
    "chatbot:alarmMemoryPercent": 83,
    "chatbot:alarmDbFreeStorageGb": 9,
    "chatbot:alarmDbConnections": 123,
    "chatbot:alarmRedisEvictionsPerMinute": 321,
    "chatbot:alarmCacheHitRateFloorPercent": 55,
    "chatbot:alarmEfsBurstCreditFloorGb": 77,
    "chatbot:redisReplicas": 1,
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "alarms-")), "Pulumi.staging.yaml");
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

describe.each([
  ["staging", "staging", undefined],
  ["prod", "prod", undefined],
  ["staging with distinct thresholds", "staging", distinctThresholds()],
])("alarms of %s", (_label, stack, configFile) => {
  let plan: Plan;
  let cfg: LoadedStackConfig;
  const n = (key: string) => Number(cfg.config[`chatbot:${key}`]);
  const mocked = (r: PlanResource) => mockState(r.type, r.name, r.inputs, cfg.config["chatbot:region"]);

  beforeAll(async () => {
    ({ plan, config: cfg } = await planFor(stack, { configFile }));
  });

  it("sends every alarm, and every recovery, to the alert topic: directly, or once through its composite", () => {
    const alarms = ofType(plan, ALARM);
    expect(alarms.length).toBeGreaterThan(10);
    const composites = ofType(plan, "aws:cloudwatch/compositeAlarm:CompositeAlarm");
    for (const c of composites) {
      expect(c.inputs.alarmActions).toEqual([plan.outputs.alertTopicArn]);
      expect(c.inputs.okActions).toEqual([plan.outputs.alertTopicArn]);
    }
    for (const a of alarms) {
      const via = composites.filter((c) => String(c.inputs.alarmRule).includes(`ALARM("${a.inputs.name}")`));
      if (via.length) {
        expect(via).toHaveLength(1);
        expect(a.inputs.alarmActions).toEqual([]);
        expect(a.inputs.okActions).toEqual([]);
      } else {
        expect(a.inputs.alarmActions).toEqual([plan.outputs.alertTopicArn]);
        expect(a.inputs.okActions).toEqual([plan.outputs.alertTopicArn]);
      }
    }
  });

  it("evaluates 1-minute periods, alarmEvaluationMinutes in a row, with a chosen missing-data treatment", () => {
    const mine = ofType(plan, ALARM).filter((a) => a.name.startsWith("alarms-"));
    for (const a of mine) {
      expect(["breaching", "notBreaching", "missing"]).toContain(a.inputs.treatMissingData);
      if (a.name.endsWith("-hit-rate")) continue;
      expect(a.inputs.evaluationPeriods).toBe(n("alarmEvaluationMinutes"));
      expect(a.inputs.datapointsToAlarm).toBe(n("alarmEvaluationMinutes"));
      for (const m of metricsOf(a)) expect(m.period).toBe(60);
    }
    expect(n("alarmEvaluationMinutes")).toBeLessThanOrEqual(5);
  });

  it("watches the API's load balancer: 5xx rate, p95 latency, unhealthy targets", () => {
    const lbs = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    expect(lbs).toHaveLength(1);
    const lb = mocked(lbs[0]).arnSuffix;
    const tg = mocked(one(plan, "aws:lb/targetGroup:TargetGroup")).arnSuffix;

    const rate = alarmOn(plan, "HTTPCode_ELB_5XX_Count", { LoadBalancer: lb });
    expect(
      metricsOf(rate)
        .map((m) => m.metricName)
        .sort(),
    ).toEqual(["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"]);
    expect(rate.inputs).toMatchObject({ threshold: n("alarmAlb5xxPercent"), comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" });
    const returned = (rate.inputs.metricQueries as any[]).filter((q) => q.returnData);
    expect(returned).toHaveLength(1);
    expect(returned[0].expression).toMatch(/^100 \* /);

    const latency = alarmOn(plan, "TargetResponseTime", { LoadBalancer: lb });
    expect(latency.inputs).toMatchObject({ extendedStatistic: "p95", threshold: n("alarmTargetResponseMs") / 1000 });
    expect(alarmOn(plan, "UnHealthyHostCount", { LoadBalancer: lb, TargetGroup: tg }).inputs).toMatchObject({
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
    });
  });

  it("watches CPU, memory and running-vs-desired tasks of every ECS service", () => {
    const services = ofType(plan, "aws:ecs/service:Service");
    expect(services.length).toBeGreaterThanOrEqual(2);
    const cluster = plan.outputs.ecsClusterName as string;
    for (const svc of services) {
      const dims = { ClusterName: cluster, ServiceName: svc.inputs.name as string };
      expect(alarmOn(plan, "CPUUtilization", dims).inputs).toMatchObject({ namespace: "AWS/ECS", threshold: n("alarmCpuPercent") });
      expect(alarmOn(plan, "MemoryUtilization", dims).inputs).toMatchObject({ namespace: "AWS/ECS", threshold: n("alarmMemoryPercent") });
      const tasks = alarmOn(plan, "RunningTaskCount", dims);
      expect(
        metricsOf(tasks)
          .map((m) => `${m.namespace}/${m.metricName}`)
          .sort(),
      ).toEqual(["ECS/ContainerInsights/DesiredTaskCount", "ECS/ContainerInsights/RunningTaskCount"]);
      expect(tasks.inputs).toMatchObject({ threshold: 0, comparisonOperator: "GreaterThanThreshold", treatMissingData: "breaching" });
    }
  });

  it("watches the database: CPU, free storage, connections; no ReplicaLag without a read replica", () => {
    const instances = ofType(plan, "aws:rds/instance:Instance");
    expect(instances).toHaveLength(1);
    const db = { DBInstanceIdentifier: instances[0].inputs.identifier as string };
    expect(alarmOn(plan, "CPUUtilization", db).inputs.threshold).toBe(n("alarmCpuPercent"));
    expect(alarmOn(plan, "FreeStorageSpace", db).inputs).toMatchObject({ threshold: n("alarmDbFreeStorageGb") * GIB, comparisonOperator: "LessThanThreshold" });
    expect(alarmOn(plan, "DatabaseConnections", db).inputs.threshold).toBe(n("alarmDbConnections"));
    expect(instances.some((i) => i.inputs.replicateSourceDb)).toBe(false);
    expect(ofType(plan, ALARM).filter((a) => metricsOf(a).some((m) => m.metricName === "ReplicaLag"))).toEqual([]);
  });

  it("watches every Redis node: memory, evictions, engine CPU, and hit rate over an hour", () => {
    const group = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup");
    const nodes = group.inputs.numCacheClusters as number;
    expect(nodes).toBe(n("redisReplicas") + 1);
    for (let i = 1; i <= nodes; i++) {
      const node = { CacheClusterId: `${group.inputs.replicationGroupId}-00${i}` };
      expect(alarmOn(plan, "DatabaseMemoryUsagePercentage", node).inputs.threshold).toBe(n("alarmMemoryPercent"));
      expect(alarmOn(plan, "Evictions", node).inputs).toMatchObject({ threshold: n("alarmRedisEvictionsPerMinute"), statistic: "Sum" });
      expect(alarmOn(plan, "EngineCPUUtilization", node).inputs.threshold).toBe(n("alarmCpuPercent"));
      const hitRate = alarmOn(plan, "CacheHits", node);
      expect(hitRate.inputs).toMatchObject({
        threshold: n("alarmCacheHitRateFloorPercent"),
        comparisonOperator: "LessThanThreshold",
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      });
      expect(metricsOf(hitRate).map((m) => [m.metricName, m.period])).toEqual([
        ["CacheHits", 3600],
        ["CacheMisses", 3600],
      ]);
    }
  });

  it("watches the vector store's EFS burst credits", () => {
    const fs = one(plan, "aws:efs/fileSystem:FileSystem");
    expect(fs.inputs.throughputMode).toBe("bursting");
    expect(alarmOn(plan, "BurstCreditBalance", { FileSystemId: `${fs.name}-id` }).inputs).toMatchObject({
      threshold: n("alarmEfsBurstCreditFloorGb") * GIB,
      comparisonOperator: "LessThanThreshold",
    });
  });

  it("draws a dashboard named after the stack, with the hit rate against its floor", () => {
    const dash = one(plan, "aws:cloudwatch/dashboard:Dashboard");
    expect(dash.inputs.dashboardName).toBe(`chatbot-${stack}`);
    expect(plan.outputs.dashboardName).toBe(`chatbot-${stack}`);
    const widgets = parseJsonInput(dash, "dashboardBody").widgets as any[];
    const hitRate = widgets.find((w) => /hit rate/i.test(w.properties.title));
    expect(hitRate.properties.annotations.horizontal).toEqual([{ label: "floor", value: n("alarmCacheHitRateFloorPercent") }]);
    const group = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup");
    const nodes = hitRate.properties.metrics.filter((m: any[]) => m[1] === "CacheHits").map((m: any[]) => m[3]);
    expect(nodes).toHaveLength(group.inputs.numCacheClusters as number);
    // Every alarmed ECS service has its line on the CPU graph.
    const cpu = widgets.find((w) => w.properties.title === "ECS CPU (%)");
    expect(cpu.properties.metrics.map((m: any[]) => m[5]).sort()).toEqual(
      ofType(plan, "aws:ecs/service:Service")
        .map((s) => s.inputs.name)
        .sort(),
    );
    expect(JSON.stringify(widgets)).not.toMatch(/undefined|null/);
  });
});
