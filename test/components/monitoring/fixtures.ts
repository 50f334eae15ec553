/** What the alarms and the dashboard watch, shared by their component tests. */

// Every threshold distinct, so a swapped one cannot pass unnoticed.
export const THRESHOLDS = {
  alb5xxPercent: 7,
  targetResponseMs: 1500,
  cpuPercent: 71,
  memoryPercent: 83,
  dbFreeStorageGb: 9,
  dbConnections: 123,
  dbReplicaLagSeconds: 42,
  redisEvictionsPerMinute: 321,
  cacheHitRateFloorPercent: 55,
  efsBurstCreditFloorGb: 77,
};

/** Every watched part, the cache with `nodeCount` nodes. */
export const allResources = (nodeCount: number) => ({
  alb: { arnSuffix: "app/api/abc", targetGroupArnSuffix: "targetgroup/api/def" },
  ecs: { clusterName: "chatbot-test", serviceNames: { api: "chatbot-test-api", "telegram-bot": "chatbot-test-telegram-bot" } },
  database: { instanceIdentifier: "chatbot-test-postgres" },
  cache: { replicationGroupId: "chatbot-test-redis", nodeCount },
  fileSystemId: "fs-123",
});
