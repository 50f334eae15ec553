import * as pulumi from "@pulumi/pulumi";
import { AlarmSpec } from "./alarmSpec";
import { AlarmThresholds, memberClusterIds, MonitoredResources } from "./monitored";

// The data stores' alarms (RDS, Redis, EFS), as [id, spec] in the order `Alarms` creates them.

const GIB = 1024 ** 3;

type Specs = [string, AlarmSpec][];

/** The RDS instance: CPU, free storage, connections, and the lag of each read replica. */
export function databaseAlarms(database: NonNullable<MonitoredResources["database"]>, t: AlarmThresholds): Specs {
  const db = { DBInstanceIdentifier: database.instanceIdentifier };
  return [
    [
      "db-cpu",
      {
        runbook: "db-cpu",
        description: `RDS CPU above ${t.cpuPercent}%`,
        comparison: "GreaterThanThreshold",
        threshold: t.cpuPercent,
        missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: db, stat: "Average" },
      },
    ],
    [
      "db-free-storage",
      {
        runbook: "db-free-storage",
        description: `RDS free storage below ${t.dbFreeStorageGb} GiB`,
        comparison: "LessThanThreshold",
        threshold: t.dbFreeStorageGb * GIB,
        missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "FreeStorageSpace", dimensions: db, stat: "Minimum" },
      },
    ],
    [
      "db-connections",
      {
        runbook: "db-connections",
        description: `RDS connections above ${t.dbConnections}`,
        comparison: "GreaterThanThreshold",
        threshold: t.dbConnections,
        missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "DatabaseConnections", dimensions: db, stat: "Maximum" },
      },
    ],
    ...(database.replicaIdentifiers ?? []).map((replica: pulumi.Input<string>, i): [string, AlarmSpec] => [
      `db-replica-${i + 1}-lag`,
      {
        runbook: "db-replica-lag",
        description: `RDS read replica lag above ${t.dbReplicaLagSeconds} s`,
        comparison: "GreaterThanThreshold",
        threshold: t.dbReplicaLagSeconds,
        missing: "missing",
        metric: { namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: replica }, stat: "Maximum" },
      },
    ]),
  ];
}

/** Each node of the Redis replication group: memory, evictions, engine CPU and hit rate, all members of `redis-degraded`. */
export function cacheAlarms(cache: NonNullable<MonitoredResources["cache"]>, t: AlarmThresholds): Specs {
  return memberClusterIds(cache.replicationGroupId, cache.nodeCount).flatMap((clusterId, i): Specs => {
    const node = { CacheClusterId: clusterId };
    const n = `redis-${String(i + 1).padStart(3, "0")}`;
    return [
      [
        `${n}-memory`,
        {
          runbook: "redis-memory",
          composite: "redis-degraded",
          description: `Redis node ${i + 1}: memory above ${t.memoryPercent}% of maxmemory`,
          comparison: "GreaterThanThreshold",
          threshold: t.memoryPercent,
          missing: "missing",
          metric: { namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: node, stat: "Maximum" },
        },
      ],
      [
        `${n}-evictions`,
        {
          runbook: "redis-evictions",
          composite: "redis-degraded",
          description: `Redis node ${i + 1}: more than ${t.redisEvictionsPerMinute} evictions per minute`,
          comparison: "GreaterThanThreshold",
          threshold: t.redisEvictionsPerMinute,
          missing: "missing",
          metric: { namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: node, stat: "Sum" },
        },
      ],
      [
        `${n}-engine-cpu`,
        {
          runbook: "redis-engine-cpu",
          composite: "redis-degraded",
          description: `Redis node ${i + 1}: engine CPU above ${t.cpuPercent}%`,
          comparison: "GreaterThanThreshold",
          threshold: t.cpuPercent,
          missing: "missing",
          metric: { namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: node, stat: "Average" },
        },
      ],
      // One hour, once: a cache that was just deployed, failed over or flushed misses nearly
      // everything for a while, which is expected and must not page; a hit rate that stays low
      // for an hour (TTL too short, keys that never repeat) is worth a look, not an outage.
      // Per node: an alarm's metric math takes at most 10 metrics, six nodes would need 12.
      [
        `${n}-hit-rate`,
        {
          runbook: "redis-hit-rate",
          composite: "redis-degraded",
          description: `Redis node ${i + 1}: cache hit rate below ${t.cacheHitRateFloorPercent}% over an hour`,
          comparison: "LessThanThreshold",
          threshold: t.cacheHitRateFloorPercent,
          missing: "notBreaching",
          expression: "100 * m1 / (m1 + m2)",
          metrics: [
            { namespace: "AWS/ElastiCache", metricName: "CacheHits", dimensions: node, stat: "Sum" },
            { namespace: "AWS/ElastiCache", metricName: "CacheMisses", dimensions: node, stat: "Sum" },
          ],
          periodSeconds: 3600,
          evaluationPeriods: 1,
        },
      ],
    ];
  });
}

/** The vector store's EFS file system: burst credits. */
export function fileSystemAlarms(fileSystemId: pulumi.Input<string>, t: AlarmThresholds): Specs {
  return [
    [
      "efs-burst-credits",
      {
        runbook: "efs-burst-credits",
        description: `EFS burst credit balance below ${t.efsBurstCreditFloorGb} GiB`,
        comparison: "LessThanThreshold",
        threshold: t.efsBurstCreditFloorGb * GIB,
        missing: "missing",
        metric: { namespace: "AWS/EFS", metricName: "BurstCreditBalance", dimensions: { FileSystemId: fileSystemId }, stat: "Minimum" },
      },
    ],
  ];
}
