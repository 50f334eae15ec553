import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withRunbook } from "../shared/runbooks";
import { AlarmSpec, Composite, COMPOSITES } from "./alarmSpec";
import { ALB_5XX_RATE, AlarmThresholds, MonitoredResources } from "./monitored";
import { cacheAlarms, databaseAlarms, fileSystemAlarms } from "./storeAlarms";

// The dashboard imports these from here.
export { ALB_5XX_RATE, memberClusterIds } from "./monitored";
export type { AlarmThresholds, MonitoredResources } from "./monitored";

export interface AlarmsArgs {
  /** `<project>-<stack>`; alarms are named `<namePrefix>-<what>`. */
  namePrefix: string;
  /** SNS topic every alarm notifies, on alarm and on recovery. */
  topicArn: pulumi.Input<string>;
  /** Consecutive 1-minute periods in breach before an alarm fires. */
  evaluationMinutes: number;
  thresholds: AlarmThresholds;
  resources: MonitoredResources;
  /** Base URL of the repository's files; each alarm's description links its runbook there. */
  runbookBaseUrl: string;
}

/** Physical name of an alarm: what ECS deployment alarms and composite rules refer to. */
export const alarmName = (namePrefix: string, id: string) => `${namePrefix}-${id}`;

/** The API alarms a release is judged by: ECS rolls a deployment back while either is in ALARM. */
export const DEPLOYMENT_ALARM_IDS = ["alb-5xx-rate", "api-p95-latency"] as const;

/**
 * CloudWatch alarms of the stack, all notifying the alert topic on ALARM and on OK. Periods are one
 * minute, `evaluationMinutes` in a row, so an outage pages within 5 minutes.
 *
 * Missing data: request metrics (5xx rate, latency, unhealthy hosts, hit rate) have no data
 * when there is no traffic, which is not a failure -> notBreaching. Service CPU/memory vanish when
 * no task runs; the running-task alarm reports that -> notBreaching (one page, not three).
 * Running tasks are published every minute while the service exists, so silence means we cannot
 * see the service -> breaching. RDS, Redis and EFS gauges are published every minute by AWS; a gap
 * is a delivery delay, not a signal -> missing (keep the current state).
 */
export class Alarms extends pulumi.ComponentResource {
  readonly alarmArns: pulumi.Output<string>[] = [];
  readonly alarmNames: string[] = [];

  private readonly logicalName: string;

  constructor(
    name: string,
    private readonly args: AlarmsArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("chatbot:monitoring:Alarms", name, {}, opts);
    this.logicalName = name;
    const t = args.thresholds;
    const r = args.resources;

    if (r.alb) {
      const lb = { LoadBalancer: r.alb.arnSuffix };
      this.alarm("alb-5xx-rate", {
        runbook: "alb-5xx-rate",
        composite: "api-degraded",
        description: `ALB 5xx responses (target + load balancer) above ${t.alb5xxPercent}% of requests`,
        comparison: "GreaterThanThreshold",
        threshold: t.alb5xxPercent,
        missing: "notBreaching",
        helpers: { errors: ALB_5XX_RATE.errors },
        expression: ALB_5XX_RATE.rate,
        metrics: [
          { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: lb, stat: "Sum" },
          { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, stat: "Sum" },
          { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: lb, stat: "Sum" },
        ],
      });
      this.alarm("api-p95-latency", {
        runbook: "api-p95-latency",
        composite: "api-degraded",
        description: `API p95 target response time above ${t.targetResponseMs} ms`,
        comparison: "GreaterThanThreshold",
        threshold: t.targetResponseMs / 1000,
        missing: "notBreaching",
        metric: { namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: lb, stat: "p95" },
      });
      this.alarm("api-unhealthy-hosts", {
        runbook: "api-unhealthy-hosts",
        composite: "api-degraded",
        description: "API targets failing the ALB health check",
        comparison: "GreaterThanThreshold",
        threshold: 0,
        missing: "notBreaching",
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "UnHealthyHostCount",
          dimensions: { ...lb, TargetGroup: r.alb.targetGroupArnSuffix },
          stat: "Maximum",
        },
      });
    }

    if (r.ecs) {
      for (const [label, serviceName] of Object.entries(r.ecs.serviceNames)) {
        const svc = { ClusterName: r.ecs.clusterName, ServiceName: serviceName };
        this.alarm(`${label}-cpu`, {
          runbook: "ecs-service-cpu",
          description: `${label}: ECS service CPU above ${t.cpuPercent}%`,
          comparison: "GreaterThanThreshold",
          threshold: t.cpuPercent,
          missing: "notBreaching",
          metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: svc, stat: "Average" },
        });
        this.alarm(`${label}-memory`, {
          runbook: "ecs-service-memory",
          description: `${label}: ECS service memory above ${t.memoryPercent}%`,
          comparison: "GreaterThanThreshold",
          threshold: t.memoryPercent,
          missing: "notBreaching",
          metric: { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: svc, stat: "Average" },
        });
        this.alarm(`${label}-running-tasks`, {
          runbook: "ecs-running-tasks",
          composite: label === "api" ? "api-degraded" : undefined,
          description: `${label}: fewer tasks running than desired`,
          comparison: "GreaterThanThreshold",
          threshold: 0,
          missing: "breaching",
          expression: "m1 - m2",
          metrics: [
            { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", dimensions: svc, stat: "Minimum" },
            { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: svc, stat: "Minimum" },
          ],
        });
      }
    }

    if (r.database) for (const [id, spec] of databaseAlarms(r.database, t)) this.alarm(id, spec);
    if (r.cache) for (const [id, spec] of cacheAlarms(r.cache, t)) this.alarm(id, spec);
    if (r.fileSystemId) for (const [id, spec] of fileSystemAlarms(r.fileSystemId, t)) this.alarm(id, spec);

    for (const [id, description] of Object.entries(COMPOSITES) as [Composite, string][]) this.composite(id, description);
    this.registerOutputs({ alarmArns: this.alarmArns });
  }

  private readonly members: Partial<Record<Composite, pulumi.Output<string>[]>> = {};

  /** Pages once for its members, which themselves notify no one (their state still shows in the console). */
  private composite(id: Composite, description: string): void {
    const members = this.members[id] ?? [];
    if (members.length === 0) return;
    const name = alarmName(this.args.namePrefix, id);
    const composite = new aws.cloudwatch.CompositeAlarm(
      `${this.logicalName}-${id}`,
      {
        alarmName: name,
        alarmDescription: withRunbook(description, this.args.runbookBaseUrl, id),
        alarmRule: pulumi.all(members).apply((names) => names.map((n) => `ALARM("${n}")`).join(" OR ")),
        alarmActions: [this.args.topicArn],
        okActions: [this.args.topicArn],
      },
      { parent: this },
    );
    this.alarmArns.push(composite.arn);
    this.alarmNames.push(name);
  }

  private alarm(id: string, spec: AlarmSpec): void {
    const period = spec.periodSeconds ?? 60;
    const evaluationPeriods = spec.evaluationPeriods ?? this.args.evaluationMinutes;
    const single = spec.metric;
    const percentile = single && /^p\d/.test(single.stat);
    const name = alarmName(this.args.namePrefix, id);
    // A composite's member notifies no one: the composite pages once for all of them.
    const actions = spec.composite ? [] : [this.args.topicArn];
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${this.logicalName}-${id}`,
      {
        name,
        alarmDescription: withRunbook(spec.description, this.args.runbookBaseUrl, spec.runbook),
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        treatMissingData: spec.missing,
        alarmActions: actions,
        okActions: actions,
        ...(single
          ? {
              namespace: single.namespace,
              metricName: single.metricName,
              dimensions: single.dimensions,
              period,
              ...(percentile ? { extendedStatistic: single.stat } : { statistic: single.stat }),
            }
          : {
              metricQueries: [
                { id: "e1", expression: spec.expression, label: spec.description, returnData: true },
                ...Object.entries(spec.helpers ?? {}).map(([id, expression]) => ({ id, expression, returnData: false })),
                ...spec.metrics!.map((m, i) => ({
                  id: `m${i + 1}`,
                  returnData: false,
                  metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period },
                })),
              ],
            }),
      },
      { parent: this },
    );
    this.alarmArns.push(alarm.arn);
    this.alarmNames.push(name);
    if (spec.composite) (this.members[spec.composite] ??= []).push(alarm.name);
  }
}
