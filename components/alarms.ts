import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const GIB = 1024 ** 3;

/**
 * ALB 5xx % over m1 = HTTPCode_Target_5XX_Count, m2 = HTTPCode_ELB_5XX_Count, m3 = RequestCount.
 * Requests refused before a target is chosen (no healthy target: ELB 503) are not in RequestCount,
 * so the denominator is at least the error count: a total outage reads 100%, not "no data".
 */
export const ALB_5XX_RATE = { errors: "FILL(m1, 0) + FILL(m2, 0)", rate: "100 * errors / MAX([FILL(m3, 0), errors])" };

/** Alarm thresholds, as validated config (infra/config/keys/monitoring.ts). */
export interface AlarmThresholds {
  alb5xxPercent: number;
  targetResponseMs: number;
  cpuPercent: number;
  memoryPercent: number;
  dbFreeStorageGb: number;
  dbConnections: number;
  dbReplicaLagSeconds: number;
  redisEvictionsPerMinute: number;
  cacheHitRateFloorPercent: number;
  efsBurstCreditFloorGb: number;
}

/** What is watched. Each part is optional: a part the stack does not build gets no alarms. */
export interface MonitoredResources {
  /** The API's load balancer and target group (`arnSuffix` of each: the CloudWatch dimension). */
  alb?: { arnSuffix: pulumi.Input<string>; targetGroupArnSuffix: pulumi.Input<string> };
  /** ECS cluster and its services, by a short label used in alarm names (e.g. `api` -> its service name). */
  ecs?: { clusterName: pulumi.Input<string>; serviceNames: Record<string, pulumi.Input<string>> };
  /** RDS instance, and its read replicas if any (a Multi-AZ standby is not one: it has no ReplicaLag). */
  database?: { instanceIdentifier: pulumi.Input<string>; replicaIdentifiers?: pulumi.Input<string>[] };
  /** Redis replication group (cluster mode off) and how many nodes it has (1 + replicas). */
  cache?: { replicationGroupId: pulumi.Input<string>; nodeCount: number };
  /** EFS file system of the vector store (bursting throughput). */
  fileSystemId?: pulumi.Input<string>;
}

export interface AlarmsArgs {
  /** `<project>-<stack>`; alarms are named `<namePrefix>-<what>`. */
  namePrefix: string;
  /** SNS topic every alarm notifies, on alarm and on recovery. */
  topicArn: pulumi.Input<string>;
  /** Consecutive 1-minute periods in breach before an alarm fires. */
  evaluationMinutes: number;
  thresholds: AlarmThresholds;
  resources: MonitoredResources;
}

/**
 * Member clusters of a cluster-mode-disabled replication group: AWS names them `<id>-001`,
 * `<id>-002`, ... (ElastiCache publishes Redis metrics per member, not per group).
 */
export function memberClusterIds(replicationGroupId: pulumi.Input<string>, nodeCount: number): pulumi.Output<string>[] {
  return Array.from({ length: nodeCount }, (_, i) => pulumi.interpolate`${replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
}

type Missing = "breaching" | "notBreaching" | "ignore" | "missing";
type Comparison = "GreaterThanThreshold" | "LessThanThreshold";

interface Metric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  stat: string;
}

interface AlarmSpec {
  description: string;
  comparison: Comparison;
  threshold: number;
  /** Why a gap in the data means what it means for this metric (see the table in the class comment). */
  missing: Missing;
  /** A single metric, or metric math: `expression` over `metrics` (ids m1, m2, ...). */
  metric?: Metric;
  expression?: string;
  metrics?: Metric[];
  /** Intermediate expressions the main one refers to by id. */
  helpers?: Record<string, string>;
  periodSeconds?: number;
  evaluationPeriods?: number;
}

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

  constructor(name: string, private readonly args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:Alarms", name, {}, opts);
    this.logicalName = name;
    const t = args.thresholds;
    const r = args.resources;

    if (r.alb) {
      const lb = { LoadBalancer: r.alb.arnSuffix };
      this.alarm("alb-5xx-rate", {
        description: `ALB 5xx responses (target + load balancer) above ${t.alb5xxPercent}% of requests`,
        comparison: "GreaterThanThreshold", threshold: t.alb5xxPercent, missing: "notBreaching",
        helpers: { errors: ALB_5XX_RATE.errors },
        expression: ALB_5XX_RATE.rate,
        metrics: [
          { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: lb, stat: "Sum" },
          { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: lb, stat: "Sum" },
          { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: lb, stat: "Sum" },
        ],
      });
      this.alarm("api-p95-latency", {
        description: `API p95 target response time above ${t.targetResponseMs} ms`,
        comparison: "GreaterThanThreshold", threshold: t.targetResponseMs / 1000, missing: "notBreaching",
        metric: { namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: lb, stat: "p95" },
      });
      this.alarm("api-unhealthy-hosts", {
        description: "API targets failing the ALB health check",
        comparison: "GreaterThanThreshold", threshold: 0, missing: "notBreaching",
        metric: { namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions: { ...lb, TargetGroup: r.alb.targetGroupArnSuffix }, stat: "Maximum" },
      });
    }

    if (r.ecs) {
      for (const [label, serviceName] of Object.entries(r.ecs.serviceNames)) {
        const svc = { ClusterName: r.ecs.clusterName, ServiceName: serviceName };
        this.alarm(`${label}-cpu`, {
          description: `${label}: ECS service CPU above ${t.cpuPercent}%`,
          comparison: "GreaterThanThreshold", threshold: t.cpuPercent, missing: "notBreaching",
          metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: svc, stat: "Average" },
        });
        this.alarm(`${label}-memory`, {
          description: `${label}: ECS service memory above ${t.memoryPercent}%`,
          comparison: "GreaterThanThreshold", threshold: t.memoryPercent, missing: "notBreaching",
          metric: { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: svc, stat: "Average" },
        });
        this.alarm(`${label}-running-tasks`, {
          description: `${label}: fewer tasks running than desired`,
          comparison: "GreaterThanThreshold", threshold: 0, missing: "breaching",
          expression: "m1 - m2",
          metrics: [
            { namespace: "ECS/ContainerInsights", metricName: "DesiredTaskCount", dimensions: svc, stat: "Minimum" },
            { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: svc, stat: "Minimum" },
          ],
        });
      }
    }

    if (r.database) {
      const db = { DBInstanceIdentifier: r.database.instanceIdentifier };
      this.alarm("db-cpu", {
        description: `RDS CPU above ${t.cpuPercent}%`,
        comparison: "GreaterThanThreshold", threshold: t.cpuPercent, missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: db, stat: "Average" },
      });
      this.alarm("db-free-storage", {
        description: `RDS free storage below ${t.dbFreeStorageGb} GiB`,
        comparison: "LessThanThreshold", threshold: t.dbFreeStorageGb * GIB, missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: db, stat: "Minimum" },
      });
      this.alarm("db-connections", {
        description: `RDS connections above ${t.dbConnections}`,
        comparison: "GreaterThanThreshold", threshold: t.dbConnections, missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: db, stat: "Maximum" },
      });
      (r.database.replicaIdentifiers ?? []).forEach((replica, i) => {
        this.alarm(`db-replica-${i + 1}-lag`, {
          description: `RDS read replica lag above ${t.dbReplicaLagSeconds} s`,
          comparison: "GreaterThanThreshold", threshold: t.dbReplicaLagSeconds, missing: "missing",
          metric: { namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: replica }, stat: "Maximum" },
        });
      });
    }

    if (r.cache) {
      memberClusterIds(r.cache.replicationGroupId, r.cache.nodeCount).forEach((clusterId, i) => {
        const node = { CacheClusterId: clusterId };
        const n = `redis-${String(i + 1).padStart(3, "0")}`;
        this.alarm(`${n}-memory`, {
          description: `Redis node ${i + 1}: memory above ${t.memoryPercent}% of maxmemory`,
          comparison: "GreaterThanThreshold", threshold: t.memoryPercent, missing: "missing",
          metric: { namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: node, stat: "Maximum" },
        });
        this.alarm(`${n}-evictions`, {
          description: `Redis node ${i + 1}: more than ${t.redisEvictionsPerMinute} evictions per minute`,
          comparison: "GreaterThanThreshold", threshold: t.redisEvictionsPerMinute, missing: "missing",
          metric: { namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: node, stat: "Sum" },
        });
        this.alarm(`${n}-engine-cpu`, {
          description: `Redis node ${i + 1}: engine CPU above ${t.cpuPercent}%`,
          comparison: "GreaterThanThreshold", threshold: t.cpuPercent, missing: "missing",
          metric: { namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: node, stat: "Average" },
        });
        // One hour, once: a cache that was just deployed, failed over or flushed misses nearly
        // everything for a while, which is expected and must not page; a hit rate that stays low
        // for an hour (TTL too short, keys that never repeat) is worth a look, not an outage.
        // Per node: an alarm's metric math takes at most 10 metrics, six nodes would need 12.
        this.alarm(`${n}-hit-rate`, {
          description: `Redis node ${i + 1}: cache hit rate below ${t.cacheHitRateFloorPercent}% over an hour`,
          comparison: "LessThanThreshold", threshold: t.cacheHitRateFloorPercent, missing: "notBreaching",
          expression: "100 * m1 / (m1 + m2)",
          metrics: [
            { namespace: "AWS/ElastiCache", metricName: "CacheHits", dimensions: node, stat: "Sum" },
            { namespace: "AWS/ElastiCache", metricName: "CacheMisses", dimensions: node, stat: "Sum" },
          ],
          periodSeconds: 3600,
          evaluationPeriods: 1,
        });
      });
    }

    if (r.fileSystemId) {
      this.alarm("efs-burst-credits", {
        description: `EFS burst credit balance below ${t.efsBurstCreditFloorGb} GiB`,
        comparison: "LessThanThreshold", threshold: t.efsBurstCreditFloorGb * GIB, missing: "missing",
        metric: { namespace: "AWS/EFS", metricName: "BurstCreditBalance", dimensions: { FileSystemId: r.fileSystemId }, stat: "Minimum" },
      });
    }

    this.registerOutputs({ alarmArns: this.alarmArns });
  }

  private alarm(id: string, spec: AlarmSpec): void {
    const period = spec.periodSeconds ?? 60;
    const evaluationPeriods = spec.evaluationPeriods ?? this.args.evaluationMinutes;
    const single = spec.metric;
    const percentile = single && /^p\d/.test(single.stat);
    const alarmName = `${this.args.namePrefix}-${id}`;
    const alarm = new aws.cloudwatch.MetricAlarm(`${this.logicalName}-${id}`, {
      name: alarmName,
      alarmDescription: spec.description,
      comparisonOperator: spec.comparison,
      threshold: spec.threshold,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: spec.missing,
      alarmActions: [this.args.topicArn],
      okActions: [this.args.topicArn],
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
    }, { parent: this });
    this.alarmArns.push(alarm.arn);
    this.alarmNames.push(alarmName);
  }
}
