/**
 * Entry point: read config once, build the parts in dependency order, export what a person needs.
 * Config is validated inside loadConfig(), before the first resource is declared.
 */
import { Alarms } from "../components/alarms";
import { Alerts } from "../components/alerts";
import { Cache } from "../components/cache";
import { Cache } from "../components/cache";
import { Cluster } from "../components/cluster";
import { Database } from "../components/database";
import { Dashboard } from "../components/dashboard";
import { Database } from "../components/database";
import { Network } from "../components/network";
import { Sentry } from "../components/sentry";
import { VectorStore } from "../components/vectorStore";
import { loadConfig } from "./config";
import { awsProviderFor } from "./providers";
import { secretGuard } from "./secretGuard";

const cfg = loadConfig();
const part = (name: string) => ({ providers: { aws: awsProviderFor(cfg, name) } });

const network = new Network("network", {
  namePrefix: cfg.namePrefix,
  cidr: cfg.vpcCidr,
  azCount: cfg.azCount,
  natGateways: cfg.natGateways,
  flowLogRetentionDays: cfg.flowLogRetentionDays,
}, part("network"));

const cluster = new Cluster("ecs", { namePrefix: cfg.namePrefix }, part("containers"));

// Monitoring first: containers take their Sentry DSN secrets, the backup job its alert topic.
const monitoring = part("monitoring");
const alerts = new Alerts("alerts", { namePrefix: cfg.namePrefix, email: cfg.alertEmail, protect: cfg.protectStatefulResources }, monitoring);
const sentry = new Sentry("sentry", {
  namePrefix: cfg.namePrefix,
  organization: cfg.sentryOrganization,
  team: cfg.sentryTeam,
  authToken: cfg.secrets.sentryAuthToken,
  alertIntegrationId: cfg.sentryAlertIntegrationId,
  alertSlackChannel: cfg.sentryAlertSlackChannel,
  errorSpikeEvents: cfg.sentryErrorSpikeEvents,
  sensitiveFields: cfg.sentrySensitiveFields,
  protect: cfg.protectStatefulResources,
}, monitoring);

// Data tier. The database also owns the data KMS key that the cache and the vector store use.
const data = part("data");
const stores = { app: network.appSecurityGroupId, jobs: network.jobsSecurityGroupId };
const database = new Database("postgres", {
  namePrefix: cfg.namePrefix,
  vpcId: network.vpcId,
  subnetIds: network.privateSubnetIds,
  clientSecurityGroups: stores,
  postgresVersion: cfg.postgresVersion,
  instanceClass: cfg.dbInstanceClass,
  allocatedStorageGb: cfg.dbAllocatedStorageGb,
  maxAllocatedStorageGb: cfg.dbMaxAllocatedStorageGb,
  backupRetentionDays: cfg.dbBackupRetentionDays,
  multiAz: cfg.dbMultiAz,
  deletionProtection: cfg.dbDeletionProtection,
  finalSnapshot: cfg.dbFinalSnapshot,
  performanceInsights: cfg.dbPerformanceInsights,
  monitoringIntervalSeconds: cfg.dbMonitoringIntervalSeconds,
  dbName: cfg.dbName,
  logRetentionDays: cfg.appLogRetentionDays,
  protect: cfg.protectStatefulResources,
}, data);
const cache = new Cache("redis", {
  namePrefix: cfg.namePrefix,
  vpcId: network.vpcId,
  subnetIds: network.privateSubnetIds,
  clientSecurityGroups: stores,
  kmsKeyArn: database.kmsKeyArn,
  nodeType: cfg.redisNodeType,
  replicas: cfg.redisReplicas,
  engineVersion: cfg.redisEngineVersion,
  maxmemoryPolicy: cfg.redisMaxmemoryPolicy,
  snapshotRetentionDays: cfg.redisSnapshotRetentionDays,
  logRetentionDays: cfg.appLogRetentionDays,
  protect: cfg.protectStatefulResources,
}, data);
const vectorStore = new VectorStore("chroma", {
  namePrefix: cfg.namePrefix,
  region: cfg.region,
  vpcId: network.vpcId,
  subnetIds: network.privateSubnetIds,
  clusterArn: cluster.arn,
  image: cfg.chromaImage,
  cpu: cfg.chromaCpu,
  memory: cfg.chromaMemory,
  kmsKeyArn: database.kmsKeyArn,
  namespaceName: `${cfg.stack}.${cfg.project}.internal`,
  // Only the app queries Chroma; the backup job reads its files over NFS instead.
  apiClientSecurityGroups: { app: network.appSecurityGroupId },
  fileClientSecurityGroups: { jobs: network.jobsSecurityGroupId },
  logRetentionDays: cfg.appLogRetentionDays,
  protect: cfg.protectStatefulResources,
}, data);

export const tier = cfg.tier;
export const region = cfg.region;
export const vpcId = network.vpcId;
export const privateSubnetIds = network.privateSubnetIds;
export const publicSubnetIds = network.publicSubnetIds;
export const ecsClusterName = cluster.name;
export const postgresAddress = database.address;
export const postgresPort = database.port;
export const postgresMasterSecretArn = database.masterSecretArn;
export const postgresAppSecretArn = database.appSecretArn;
export const postgresBackupSecretArn = database.backupSecretArn;
export const redisPrimaryEndpoint = cache.primaryEndpoint;
export const redisPort = cache.port;
export const redisUrlSecretArn = cache.urlSecretArn;
export const cacheDefaultTtlSeconds = cfg.cacheDefaultTtlSeconds;
export const chromaUrl = vectorStore.url;
export const chromaTokenSecretArn = vectorStore.tokenSecretArn;

// Monitoring last: alarms and the dashboard watch what the parts above built.
const alarmThresholds = {
  alb5xxPercent: cfg.alarmAlb5xxPercent,
  targetResponseMs: cfg.alarmTargetResponseMs,
  cpuPercent: cfg.alarmCpuPercent,
  memoryPercent: cfg.alarmMemoryPercent,
  dbFreeStorageGb: cfg.alarmDbFreeStorageGb,
  dbConnections: cfg.alarmDbConnections,
  dbReplicaLagSeconds: cfg.alarmDbReplicaLagSeconds,
  redisEvictionsPerMinute: cfg.alarmRedisEvictionsPerMinute,
  cacheHitRateFloorPercent: cfg.alarmCacheHitRateFloorPercent,
  efsBurstCreditFloorGb: cfg.alarmEfsBurstCreditFloorGb,
};
const monitored = {
  ecs: { clusterName: cluster.name, serviceNames: { chroma: vectorStore.serviceName } },
  database: { instanceIdentifier: database.instanceIdentifier },
  cache: { replicationGroupId: cache.replicationGroupId, nodeCount: cfg.redisReplicas + 1 },
  fileSystemId: vectorStore.fileSystemId,
};
new Alarms("alarms", {
  namePrefix: cfg.namePrefix,
  topicArn: alerts.topicArn,
  evaluationMinutes: cfg.alarmEvaluationMinutes,
  thresholds: alarmThresholds,
  resources: monitored,
}, monitoring);
const dashboard = new Dashboard("dashboard", { namePrefix: cfg.namePrefix, region: cfg.region, thresholds: alarmThresholds, resources: monitored }, monitoring);

export const alertTopicArn = alerts.topicArn;
export const dashboardName = dashboard.dashboardName;
export const sentryProjects = sentry.projectSlugs;
// Exported under FINGERPRINTS_OUTPUT; resolves only if no secret is shared with compareSecretsWithStack.
export const secretFingerprints = secretGuard({ project: cfg.project, stack: cfg.stack, secrets: cfg.secrets, compareWithStack: cfg.compareSecretsWithStack });
