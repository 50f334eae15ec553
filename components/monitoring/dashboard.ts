import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALB_5XX_RATE, AlarmThresholds, memberClusterIds, MonitoredResources } from "./alarms";

export interface DashboardArgs {
  /** `<project>-<stack>`: the dashboard's name. */
  namePrefix: string;
  /** Region the metrics live in (widgets must name it). */
  region: string;
  /** Drawn as horizontal lines, so a graph shows how close a metric is to paging. */
  thresholds: AlarmThresholds;
  /** Same parts as the alarms; a part the stack does not build gets no widgets. */
  resources: MonitoredResources;
}

type In = pulumi.Input<string>;
/** A CloudWatch dashboard metric row: namespace, name, dimension pairs, then options. */
type Row = (In | Record<string, unknown>)[];

/** The seed's delivery targets, shown beside the deploy figures. */
export const DEPLOY_TARGETS = {
  annotations: {
    horizontal: [
      { label: "average deploy target (min)", value: 5 },
      { label: "success rate target (%)", value: 95 },
    ],
  },
};

const W = 12;
const H = 6;

/** One CloudWatch dashboard per stack with the metrics the alarms watch, next to their thresholds. */
export class Dashboard extends pulumi.ComponentResource {
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:Dashboard", name, {}, opts);
    const t = args.thresholds;
    const r = args.resources;
    const widgets: Record<string, unknown>[] = [];
    const graph = (title: string, metrics: Row[], extra: Record<string, unknown> = {}) =>
      widgets.push({
        type: "metric",
        width: W,
        height: H,
        properties: { title, region: args.region, view: "timeSeries", stat: "Average", period: 60, metrics, ...extra },
      });
    const line = (label: string, value: number) => ({ annotations: { horizontal: [{ label, value }] } });

    if (r.alb) {
      const lb = ["LoadBalancer", r.alb.arnSuffix];
      graph(
        "API 5xx rate (%)",
        [
          [{ expression: ALB_5XX_RATE.rate, label: "5xx %", id: "e1" }],
          [{ expression: ALB_5XX_RATE.errors, id: "errors", visible: false }],
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...lb, { id: "m1", stat: "Sum", visible: false }],
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", ...lb, { id: "m2", stat: "Sum", visible: false }],
          ["AWS/ApplicationELB", "RequestCount", ...lb, { id: "m3", stat: "Sum", visible: false }],
        ],
        line("alarm", t.alb5xxPercent),
      );
      graph("API p95 response time (s)", [["AWS/ApplicationELB", "TargetResponseTime", ...lb, { stat: "p95" }]], line("alarm", t.targetResponseMs / 1000));
      graph("API requests and unhealthy targets", [
        ["AWS/ApplicationELB", "RequestCount", ...lb, { stat: "Sum" }],
        ["AWS/ApplicationELB", "UnHealthyHostCount", ...lb, "TargetGroup", r.alb.targetGroupArnSuffix, { stat: "Maximum", yAxis: "right" }],
      ]);
    }

    if (r.ecs) {
      const services = Object.entries(r.ecs.serviceNames);
      const svc = (metric: string, ns: string, serviceName: In, opts: Record<string, unknown>): Row => [
        ns,
        metric,
        "ClusterName",
        r.ecs!.clusterName,
        "ServiceName",
        serviceName,
        opts,
      ];
      graph(
        "ECS CPU (%)",
        services.map(([label, s]) => svc("CPUUtilization", "AWS/ECS", s, { label })),
        line("alarm", t.cpuPercent),
      );
      graph(
        "ECS memory (%)",
        services.map(([label, s]) => svc("MemoryUtilization", "AWS/ECS", s, { label })),
        line("alarm", t.memoryPercent),
      );
      graph(
        "ECS running vs desired tasks",
        services.flatMap(([label, s]) => [
          svc("RunningTaskCount", "ECS/ContainerInsights", s, { label: `${label} running`, stat: "Minimum" }),
          svc("DesiredTaskCount", "ECS/ContainerInsights", s, { label: `${label} desired`, stat: "Maximum" }),
        ]),
      );
    }

    if (r.database) {
      const db = ["DBInstanceIdentifier", r.database.instanceIdentifier];
      graph("RDS CPU (%)", [["AWS/RDS", "CPUUtilization", ...db]], line("alarm", t.cpuPercent));
      graph("RDS free storage (bytes)", [["AWS/RDS", "FreeStorageSpace", ...db, { stat: "Minimum" }]], line("alarm", t.dbFreeStorageGb * 1024 ** 3));
      graph("RDS connections", [["AWS/RDS", "DatabaseConnections", ...db, { stat: "Maximum" }]], line("alarm", t.dbConnections));
    }

    if (r.cache) {
      const nodes = memberClusterIds(r.cache.replicationGroupId, r.cache.nodeCount);
      const perNode = (metric: string, stat: string): Row[] =>
        nodes.map((id, i) => ["AWS/ElastiCache", metric, "CacheClusterId", id, { label: `node ${i + 1}`, stat }]);
      graph("Redis memory (% of maxmemory)", perNode("DatabaseMemoryUsagePercentage", "Maximum"), line("alarm", t.memoryPercent));
      graph("Redis evictions per minute", perNode("Evictions", "Sum"), line("alarm", t.redisEvictionsPerMinute));
      graph("Redis engine CPU (%)", perNode("EngineCPUUtilization", "Average"), line("alarm", t.cpuPercent));
      // The whole group's hit rate (the alarms judge each node over an hour; see alarms.ts).
      const hits = nodes.map((_, i) => `h${i}`);
      const misses = nodes.map((_, i) => `x${i}`);
      graph(
        "Redis cache hit rate (%)",
        [
          [{ expression: `100 * SUM([${hits.join(",")}]) / (SUM([${hits.join(",")}]) + SUM([${misses.join(",")}]))`, label: "hit rate", id: "rate" }],
          ...nodes.flatMap((id, i): Row[] => [
            ["AWS/ElastiCache", "CacheHits", "CacheClusterId", id, { id: hits[i], stat: "Sum", visible: false }],
            ["AWS/ElastiCache", "CacheMisses", "CacheClusterId", id, { id: misses[i], stat: "Sum", visible: false }],
          ]),
        ],
        { period: 300, yAxis: { left: { min: 0, max: 100 } }, ...line("floor", t.cacheHitRateFloorPercent) },
      );
    }

    if (r.fileSystemId) {
      graph(
        "EFS burst credit balance (bytes)",
        [["AWS/EFS", "BurstCreditBalance", "FileSystemId", r.fileSystemId, { stat: "Minimum" }]],
        line("alarm", t.efsBurstCreditFloorGb * 1024 ** 3),
      );
    }

    // Deploys, as the deploy workflow records them (tools/deploy/record-deploy.sh), against the
    // targets. CloudWatch cannot count datapoints back, so the window is 30 days: about the last
    // 30 deploys at one a day; "deploys" shows how many it holds.
    const deploy = (metric: string, extra: Record<string, unknown>): Row => ["chatbot/deploys", metric, "Stack", args.namePrefix, extra];
    graph(
      "Deploys, last 30 days: average minutes (target < 5), success % (target > 95)",
      [
        [{ expression: "d / 60", label: "average deploy (min)", id: "minutes" }],
        [{ expression: "100 * s", label: "success rate (%)", id: "rate" }],
        deploy("DeployDurationSeconds", { id: "d", stat: "Average", visible: false }),
        deploy("DeploySuccess", { id: "s", stat: "Average", visible: false }),
        deploy("DeploySuccess", { id: "n", stat: "SampleCount", label: "deploys" }),
      ],
      { view: "singleValue", period: 30 * 86400, setPeriodToTimeRange: false, ...DEPLOY_TARGETS },
    );

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      { dashboardName: args.namePrefix, dashboardBody: pulumi.jsonStringify({ widgets }) },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}
