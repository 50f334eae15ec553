import { bool, int, intOneOf, oneOf, str } from "../spec";

export const dataKeys = {
  postgresVersion: oneOf(["14", "15", "16", "17"] as const, {
    description: "PostgreSQL major version; RDS applies minor versions automatically.",
    default: "16",
  }),
  dbInstanceClass: str({
    description: "RDS instance class.",
    default: "db.t4g.medium",
    pattern: /^db\.(t4g|t3|m6g|m7g|m6i|m7i|r6g|r7g|r6i|r7i)\.(micro|small|medium|large|xlarge|[1-9]\d?xlarge)$/,
    allowed: "an RDS class of the t4g, t3, m6g, m7g, m6i, m7i, r6g, r7g, r6i or r7i family, e.g. db.t4g.medium",
  }),
  dbAllocatedStorageGb: int({ description: "Initial storage (GiB).", default: 20, min: 20, max: 65536 }),
  dbMaxAllocatedStorageGb: int({ description: "Storage autoscaling ceiling (GiB); must be >= dbAllocatedStorageGb.", default: 100, min: 20, max: 65536 }),
  dbBackupRetentionDays: int({ description: "Days of automated RDS backups (point-in-time recovery window).", default: 7, min: 1, max: 35 }),
  dbMultiAz: bool({ description: "Standby in a second AZ with automatic failover.", default: true }),
  dbDeletionProtection: bool({ description: "RDS refuses deletion until this is turned off.", default: true }),
  dbFinalSnapshot: bool({ description: "Take a final snapshot (named after the stack) when the instance is deleted.", default: true }),
  dbPerformanceInsights: bool({ description: "Performance Insights (7 days, free tier).", default: true }),
  dbMonitoringIntervalSeconds: intOneOf([0, 1, 5, 10, 15, 30, 60], { description: "Enhanced monitoring interval; 0 turns it off.", default: 60 }),
  redisNodeType: str({
    description: "ElastiCache node type.",
    default: "cache.t4g.small",
    pattern: /^cache\.(t4g|t3|m6g|m7g|r6g|r7g)\.(micro|small|medium|large|xlarge|[1-9]\d?xlarge)$/,
    allowed: "an ElastiCache node type of the t4g, t3, m6g, m7g, r6g or r7g family, e.g. cache.t4g.small",
  }),
  redisReplicas: int({ description: "Read replicas per shard; >= 1 turns on automatic failover and multi-AZ.", default: 1, min: 0, max: 5 }),
  redisEngineVersion: str({ description: "Redis engine version.", default: "7.1", pattern: /^[67]\.\d$/, allowed: "a Redis 6.x or 7.x version, e.g. 7.1" }),
  redisSnapshotRetentionDays: int({ description: "Days of Redis snapshots; 0 turns them off.", default: 7, min: 0, max: 35 }),
  cacheDefaultTtlSeconds: int({ description: "Default TTL of a cached LLM answer, exported for the app.", default: 86400, min: 1 }),
  chromaImage: str({
    description: "ChromaDB image, pinned to a version tag or digest (never `latest`).",
    default: "chromadb/chroma:0.6.3",
    pattern: /^[\w.\-/:]+(:(?!latest$)[\w.-]+|@sha256:[0-9a-f]{64})$/,
    allowed: "an image reference with a version tag or sha256 digest, not :latest",
  }),
  chromaCpu: intOneOf([256, 512, 1024, 2048, 4096], { description: "ChromaDB task CPU units.", default: 512 }),
  chromaMemory: int({ description: "ChromaDB task memory (MiB).", default: 1024, min: 512, max: 30720 }),
};
