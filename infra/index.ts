/**
 * Entry point: read config once, build the parts in dependency order, export what a person needs.
 * Config is validated inside loadConfig(), before the first resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { alarmName, Alarms, DEPLOYMENT_ALARM_IDS } from "../components/alarms";
import { Alerts } from "../components/alerts";
import { BackupBucket } from "../components/backupBucket";
import { BackupSchedule } from "../components/backupSchedule";
import { Cache } from "../components/cache";
import { Cluster } from "../components/cluster";
import { Database } from "../components/database";
import { DbBootstrap } from "../components/dbBootstrap";
import { Dashboard } from "../components/dashboard";
import { Network } from "../components/network";
import { Operations } from "../components/operations";
import { Sentry } from "../components/sentry";
import { VectorStore } from "../components/vectorStore";
import { AppSecrets } from "../components/appSecrets";
import { Images } from "../components/images";
import { LoadBalancer } from "../components/loadBalancer";
import { Service } from "../components/service";
import { parsePathRateLimits, Waf } from "../components/waf";
import { loadConfig } from "./config";
import { rotationGenerations } from "./config/keys/operations";
import { partOptions } from "./providers";
import { secretGuard } from "./secretGuard";

const cfg = loadConfig();
// Generated credentials rotate on command: a higher generation is a new random value (issue 17).
const rotation = rotationGenerations(cfg.credentialRotation);
const part = partOptions(cfg);

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
const alerts = new Alerts("alerts", { namePrefix: cfg.namePrefix, email: cfg.alertEmail, webhookUrl: cfg.alertWebhookUrl, protect: cfg.protectStatefulResources }, monitoring);
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
  shareProjectsOf: cfg.sentryShareProjectsOf,
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
  passwordRotation: { app: rotation.postgresAppPassword, backup: rotation.postgresBackupPassword },
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
  authTokenRotation: rotation.redisAuthToken,
  authTokenUpdateStrategy: cfg.redisAuthTokenUpdateStrategy,
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
  tokenRotation: rotation.chromaToken,
}, data);

// Application tier: images and secrets, then the load balancer, then the services that use them all.
const containers = part("containers");
const images = new Images("images", {
  namePrefix: cfg.namePrefix,
  sources: { api: cfg.apiImage, telegramBot: cfg.telegramBotImage, discordBot: cfg.discordBotImage, backupJob: cfg.backupJobImage, dbInit: cfg.dbInitImage },
  // pg_dump refuses a server newer than itself: the backup image's client matches the database.
  buildArgs: { backupJob: { PG_MAJOR: cfg.postgresVersion } },
  keepImages: cfg.ecrKeepImages,
  protect: cfg.protectStatefulResources,
}, part("images"));
const appSecrets = new AppSecrets("app-secrets", {
  namePrefix: cfg.namePrefix,
  // Only what a running service reads: a disabled bot's token is not stored.
  values: {
    appSecretKey: cfg.secrets.appSecretKey,
    stripeApiKey: cfg.secrets.stripeApiKey,
    llmApiKey: cfg.secrets.llmApiKey,
    ...(cfg.telegramBotEnabled ? { telegramBotToken: cfg.secrets.telegramBotToken } : {}),
    ...(cfg.discordBotEnabled ? { discordBotToken: cfg.secrets.discordBotToken } : {}),
  },
  recoveryWindowInDays: cfg.protectStatefulResources ? 30 : 7,
  protect: cfg.protectStatefulResources,
}, containers);
const API_PORT = 8000;
const apiLb = new LoadBalancer("api", {
  namePrefix: cfg.namePrefix,
  vpcId: network.vpcId,
  publicSubnetIds: network.publicSubnetIds,
  albSecurityGroupId: network.albSecurityGroupId,
  targetSecurityGroupId: network.appSecurityGroupId,
  certificateArn: cfg.certificateArn,
  targetPort: API_PORT,
  healthCheckPath: "/api/health",
  deletionProtection: cfg.albDeletionProtection,
  deregistrationDelaySeconds: cfg.albDeregistrationDelaySeconds,
  accessLogRetentionDays: cfg.albAccessLogRetentionDays,
  protect: cfg.protectStatefulResources,
}, containers);
const waf = new Waf("waf", {
  namePrefix: cfg.namePrefix,
  resourceArn: apiLb.arn,
  rateLimitPer5Min: cfg.wafRateLimitPer5Min,
  pathRateLimits: parsePathRateLimits(cfg.wafPathRateLimits),
  clientRateLimit: cfg.wafClientKeyHeader ? { header: cfg.wafClientKeyHeader, limit: cfg.wafClientRateLimitPer5Min } : undefined,
  largeBodyPaths: cfg.wafLargeBodyPaths,
  logRetentionDays: cfg.appLogRetentionDays,
}, containers);

// Issue 10: bootstrap the database (roles, grants, extensions, schema) on `pulumi up`, after the
// database and its network path exist and before any app service rolls onto it.
const dbBootstrap = new DbBootstrap("db-bootstrap", {
  namePrefix: cfg.namePrefix,
  region: cfg.region,
  image: images.imageRefs.dbInit,
  imageRepositoryArn: images.pullRepositoryArns.dbInit,
  database: {
    host: database.address,
    port: database.port,
    name: database.dbName,
    masterSecretArn: database.masterSecretArn,
    appSecretArn: database.appSecretArn,
    backupSecretArn: database.backupSecretArn,
    secretKmsKeyArns: [database.kmsKeyArn],
  },
  extensions: cfg.dbExtensions,
  cluster: cluster.arn,
  subnetIds: network.privateSubnetIds,
  securityGroupId: network.jobsSecurityGroupId,
  logRetentionDays: cfg.appLogRetentionDays,
  // The database component includes the jobs->PostgreSQL rule and the stored passwords; the network its NAT routes.
  runAfter: [database, network],
  // A new app or backup password must reach PostgreSQL although the task definition is unchanged.
  rerunTriggers: database.roleSecretVersionIds,
  timeoutSeconds: 900,
}, data);
const afterBootstrap = { ...containers, dependsOn: [dbBootstrap.done] };

// Secrets each container reads (ECS `secrets`); data-tier secrets are encrypted with the data key.
// Each is pinned to its current version, so a rotated value rolls exactly the services reading it.
type Arn = typeof database.appSecretArn;
const fromData = (arn: Arn, versionId: Arn, jsonKey?: string) => ({ arn, versionId, jsonKey, kmsKeyArn: database.kmsKeyArn });
const dataSecrets = {
  DATABASE_URL: fromData(database.appSecretArn, database.appSecretVersionId, "url"),
  REDIS_URL: fromData(cache.urlSecretArn, cache.urlSecretVersionId),
  CHROMA_TOKEN: fromData(vectorStore.tokenSecretArn, vectorStore.tokenSecretVersionId),
};
const sentryDsn = (service: "api" | "telegramBot" | "discordBot") =>
  ({ arn: sentry.dsnSecretArns[service], versionId: sentry.dsnSecretVersionIds[service], kmsKeyArn: sentry.dsnKmsKeyArn });
const appEnvironment = {
  APP_ENV: cfg.tier,
  SENTRY_ENVIRONMENT: cfg.stack,
  CHROMA_URL: vectorStore.url,
  LLM_CACHE_TTL_SECONDS: String(cfg.cacheDefaultTtlSeconds),
};
const serviceBase = {
  namePrefix: cfg.namePrefix,
  region: cfg.region,
  clusterArn: cluster.arn,
  clusterName: cluster.name,
  subnetIds: network.privateSubnetIds,
  securityGroupIds: [network.appSecurityGroupId],
  logRetentionDays: cfg.appLogRetentionDays,
  // Non-root: uid 1000 needs no privilege for port 8000. The root filesystem is read-only and /tmp
  // a task-storage volume, root-owned 0755 unless the image declares `VOLUME /tmp` on a directory
  // uid 1000 may write (e.g. `RUN chmod 1777 /tmp` before it): the app images must do so.
  user: "1000:1000",
  writablePaths: ["/tmp"],
};
const api = new Service("api", {
  ...serviceBase,
  serviceName: "api",
  image: images.imageRefs.api,
  imageRepositoryArn: images.pullRepositoryArns.api,
  cpu: cfg.apiCpu, memory: cfg.apiMemory,
  minCount: cfg.apiMinCount, maxCount: cfg.apiMaxCount,
  cpuTargetPercent: cfg.apiCpuTargetPercent,
  environment: { ...appEnvironment, PORT: String(API_PORT) },
  secrets: {
    ...dataSecrets,
    APP_SECRET_KEY: appSecrets.secrets.appSecretKey,
    STRIPE_API_KEY: appSecrets.secrets.stripeApiKey,
    LLM_API_KEY: appSecrets.secrets.llmApiKey,
    SENTRY_DSN: sentryDsn("api"),
  },
  loadBalancer: {
    targetGroupArn: apiLb.targetGroupArn,
    containerPort: API_PORT,
    healthCheckGracePeriodSeconds: 60,
    requestCountResourceLabel: pulumi.interpolate`${apiLb.albArnSuffix}/${apiLb.targetGroupArnSuffix}`,
    requestsPerTarget: cfg.apiRequestsPerTarget,
  },
  // A release whose 5xx rate or latency alarms is rolled back by ECS (the alarms are declared below, by name).
  deploymentAlarmNames: DEPLOYMENT_ALARM_IDS.map((id) => alarmName(cfg.namePrefix, id)),
}, afterBootstrap);
// The bots answer in-process with the same retrieval-augmented pipeline as the API: database,
// answer cache, vector store (Chroma token) and LLM key, plus their own platform token.
const bot = (serviceName: string, sentryName: "telegramBot" | "discordBot", tokenEnv: string, token: keyof typeof appSecrets.secrets, sizing: { cpu: number; memory: number; minCount: number; maxCount: number }) =>
  new Service(serviceName, {
    ...serviceBase,
    serviceName,
    image: images.imageRefs[sentryName],
    imageRepositoryArn: images.pullRepositoryArns[sentryName],
    ...sizing,
    cpuTargetPercent: cfg.botCpuTargetPercent,
    // Telegram's long polling and an unsharded Discord gateway session each allow one consumer.
    singleConsumer: true,
    environment: appEnvironment,
    secrets: { ...dataSecrets, LLM_API_KEY: appSecrets.secrets.llmApiKey, [tokenEnv]: appSecrets.secrets[token], SENTRY_DSN: sentryDsn(sentryName) },
  }, afterBootstrap);
const telegramBot = cfg.telegramBotEnabled
  ? bot("telegram-bot", "telegramBot", "TELEGRAM_BOT_TOKEN", "telegramBotToken",
    { cpu: cfg.telegramBotCpu, memory: cfg.telegramBotMemory, minCount: cfg.telegramBotMinCount, maxCount: cfg.telegramBotMaxCount })
  : undefined;
const discordBot = cfg.discordBotEnabled
  ? bot("discord-bot", "discordBot", "DISCORD_BOT_TOKEN", "discordBotToken",
    { cpu: cfg.discordBotCpu, memory: cfg.discordBotMemory, minCount: cfg.discordBotMinCount, maxCount: cfg.discordBotMaxCount })
  : undefined;

// Backups: the bucket, the job's task definition, its daily and weekly schedules, failure alerts.
const backupPart = part("backup");
const backupBucket = new BackupBucket("backup-bucket", {
  namePrefix: cfg.namePrefix,
  retentionDays: cfg.backupRetentionDays,
  noncurrentVersionDays: cfg.backupNoncurrentVersionDays,
  objectLock: cfg.backupObjectLock,
  objectLockDays: cfg.backupObjectLockDays,
  forceDestroy: cfg.backupForceDestroy,
  protect: cfg.protectStatefulResources,
}, backupPart);
new BackupSchedule("backup", {
  namePrefix: cfg.namePrefix,
  region: cfg.region,
  image: images.imageRefs.backupJob,
  imageRepositoryArn: images.pullRepositoryArns.backupJob,
  // One vCPU: pg_dump -Fc compresses on one core; 2 GiB covers the upload buffers (~64 MiB) and SQLite copies.
  cpu: 1024,
  memory: 2048,
  ephemeralStorageGb: cfg.backupEphemeralStorageGb,
  logRetentionDays: cfg.appLogRetentionDays,
  bucketName: backupBucket.bucketName,
  bucketArn: backupBucket.bucketArn,
  kmsKeyArn: backupBucket.kmsKeyArn,
  prefix: cfg.namePrefix,
  databaseUrlSecret: { secretArn: database.backupSecretArn, jsonKey: "url" },
  secretKmsKeyArns: [database.kmsKeyArn, sentry.dsnKmsKeyArn],
  chroma: { fileSystemId: vectorStore.fileSystemId, accessPointId: vectorStore.accessPointId },
  sentry: { dsnSecret: { secretArn: sentry.dsnSecretArns.backupJob }, monitorSlug: sentry.backupMonitorSlug },
  enabled: cfg.backupEnabled,
  backupExpression: cfg.backupSchedule,
  verifyExpression: cfg.backupVerifySchedule,
  timezone: cfg.backupScheduleTimezone,
  clusterArn: cluster.arn,
  subnetIds: network.privateSubnetIds,
  securityGroupId: network.jobsSecurityGroupId,
  // The topic's policy and key already let EventBridge and CloudWatch publish (components/alerts.ts).
  alertTopicArn: alerts.topicArn,
  runbookBaseUrl: cfg.runbookBaseUrl,
}, backupPart);

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
  alb: { arnSuffix: apiLb.albArnSuffix, targetGroupArnSuffix: apiLb.targetGroupArnSuffix },
  ecs: {
    clusterName: cluster.name,
    serviceNames: {
      api: api.serviceName,
      ...(telegramBot ? { "telegram-bot": telegramBot.serviceName } : {}),
      ...(discordBot ? { "discord-bot": discordBot.serviceName } : {}),
      chroma: vectorStore.serviceName,
    },
  },
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
  runbookBaseUrl: cfg.runbookBaseUrl,
}, monitoring);
const dashboard = new Dashboard("dashboard", { namePrefix: cfg.namePrefix, region: cfg.region, thresholds: alarmThresholds, resources: monitored }, monitoring);
// Issue 17: saved log queries for on-call and the stack's monthly budget.
new Operations("operations", {
  namePrefix: cfg.namePrefix,
  stack: cfg.stack,
  serviceLogGroups: {
    api: api.logGroupName,
    ...(telegramBot ? { "telegram-bot": telegramBot.logGroupName } : {}),
    ...(discordBot ? { "discord-bot": discordBot.logGroupName } : {}),
    chroma: vectorStore.logGroupName,
  },
  wafLogGroup: waf.logGroupName,
  slowRequestMs: cfg.alarmTargetResponseMs,
  budgetMonthlyUsd: cfg.budgetMonthlyUsd,
  budgetAlertEmails: cfg.budgetAlertEmails,
}, monitoring);

// Stack outputs: what a person or another tool needs; secrets only as ARNs or secret outputs.
export const tier = cfg.tier;
export const region = cfg.region;
export const vpcId = network.vpcId;
export const privateSubnetIds = network.privateSubnetIds;
export const publicSubnetIds = network.publicSubnetIds;
export const ecsClusterName = cluster.name;
export const apiUrl = pulumi.interpolate`https://${apiLb.dnsName}`;
export const albDnsName = apiLb.dnsName;
export const albArnSuffix = apiLb.albArnSuffix;
export const apiTargetGroupArnSuffix = apiLb.targetGroupArnSuffix;
export const ecrRepositoryUrls = images.repositoryUrls;
export const imageRefs = images.imageRefs;
// Only the services that run: a switched-off bot has no entry.
export const ecsServiceNames = {
  api: api.serviceName,
  ...(telegramBot ? { telegramBot: telegramBot.serviceName } : {}),
  ...(discordBot ? { discordBot: discordBot.serviceName } : {}),
};
// What `npm run release -- verify` checks each service's PRIMARY deployment against.
export const ecsTaskDefinitionArns = {
  api: api.taskDefinitionArn,
  ...(telegramBot ? { telegramBot: telegramBot.taskDefinitionArn } : {}),
  ...(discordBot ? { discordBot: discordBot.taskDefinitionArn } : {}),
};
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
export const backupBucketName = backupBucket.bucketName;
export const backupKmsKeyArn = backupBucket.kmsKeyArn;

export const alertTopicArn = alerts.topicArn;
export const dashboardName = dashboard.dashboardName;
export const sentryProjects = sentry.projectSlugs;
// Exported under FINGERPRINTS_OUTPUT; resolves only if no secret is shared with compareSecretsWithStack.
export const secretFingerprints = secretGuard({ project: cfg.project, stack: cfg.stack, secrets: cfg.secrets, compareWithStack: cfg.compareSecretsWithStack });
