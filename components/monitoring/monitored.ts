import * as pulumi from "@pulumi/pulumi";

/** What the alarms and the dashboard share: the metrics they watch and the thresholds from config. */
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

/**
 * Member clusters of a cluster-mode-disabled replication group: AWS names them `<id>-001`,
 * `<id>-002`, ... (ElastiCache publishes Redis metrics per member, not per group).
 */
export function memberClusterIds(replicationGroupId: pulumi.Input<string>, nodeCount: number): pulumi.Output<string>[] {
  return Array.from({ length: nodeCount }, (_, i) => pulumi.interpolate`${replicationGroupId}-${String(i + 1).padStart(3, "0")}`);
}
