/**
 * Entry point: read config once, build the parts in dependency order, export what a person needs.
 * Config is validated inside loadConfig(), before the first resource is declared. Each part's
 * arguments are in infra/parts/<part>.ts, its resources in components/<part>/.
 */
import * as pulumi from "@pulumi/pulumi";
import { readBootstrap } from "./bootstrap";
import { loadConfig } from "./config";
import { backupPart } from "./parts/backup";
import { clusterPart, containersPart } from "./parts/containers";
import { dataPart } from "./parts/data";
import { imagesPart } from "./parts/images";
import { alertingPart, watchPart } from "./parts/monitoring";
import { networkPart } from "./parts/network";
import { partOptions } from "./providers";
import { secretGuard } from "./secretGuard";

const cfg = loadConfig();
const bootstrap = readBootstrap(cfg);
const part = partOptions(cfg, bootstrap);

const network = networkPart(cfg, part("network"));
const cluster = clusterPart(cfg, part("containers"));
const { alerts, sentry } = alertingPart(cfg, part("monitoring"));
const images = imagesPart(cfg, bootstrap, part("images"));
const { database, cache, vectorStore, dbBootstrap } = dataPart(cfg, { network, clusterArn: cluster.arn, images }, part("data"));
const app = containersPart(cfg, { network, cluster, images, database, cache, vectorStore, dbBootstrap, sentry, bootstrap }, part("containers"));
const backup = backupPart(cfg, { network, clusterArn: cluster.arn, images, database, vectorStore, sentry, alertTopicArn: alerts.topicArn }, part("backup"));

const running = app.running;
const serviceNames = Object.fromEntries(Object.entries(running).map(([n, s]) => [n, s.serviceName]));
const { dashboard } = watchPart(cfg, {
  topicArn: alerts.topicArn,
  resources: {
    alb: { arnSuffix: app.loadBalancer.albArnSuffix, targetGroupArnSuffix: app.loadBalancer.targetGroupArnSuffix },
    ecs: { clusterName: cluster.name, serviceNames: { ...serviceNames, chroma: vectorStore.serviceName } },
    database: { instanceIdentifier: database.instanceIdentifier },
    cache: { replicationGroupId: cache.replicationGroupId, nodeCount: cfg.redisReplicas + 1 },
    fileSystemId: vectorStore.fileSystemId,
  },
  serviceLogGroups: { ...Object.fromEntries(Object.entries(running).map(([n, s]) => [n, s.logGroupName])), chroma: vectorStore.logGroupName },
  wafLogGroup: app.waf.logGroupName,
}, part("monitoring"));

// Stack outputs: what a person or another tool needs; secrets only as ARNs or secret outputs.
// Per-service maps are keyed in camelCase (telegramBot) and list only the services that run.
const byService = <T>(pick: (s: (typeof running)["api"]) => T) =>
  Object.fromEntries(Object.entries(running).map(([n, s]) => [n.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), pick(s)]));
export const tier = cfg.tier;
export const region = cfg.region;
export const vpcId = network.vpcId;
export const privateSubnetIds = network.privateSubnetIds;
export const publicSubnetIds = network.publicSubnetIds;
export const ecsClusterName = cluster.name;
// The certificate's name, not the ALB's: the alias record resolves it (issue 15).
export const apiUrl = pulumi.interpolate`https://${app.loadBalancer.domainName}`;
export const apiDomainName = app.loadBalancer.domainName;
export const hostedZoneId = bootstrap.hostedZoneId;
export const albHttpsListenerArn = app.loadBalancer.httpsListenerArn;
/** false until the API image has a release: the deploy's smoke check has nothing to ask yet. */
export const apiReleased = images.released.api;
export const albDnsName = app.loadBalancer.dnsName;
export const albArnSuffix = app.loadBalancer.albArnSuffix;
export const apiTargetGroupArnSuffix = app.loadBalancer.targetGroupArnSuffix;
export const ecrRepositoryUrls = images.repositoryUrls;
export const imageRefs = images.imageRefs;
export const ecsServiceNames = byService((s) => s.serviceName);
// What `npm run release -- verify` checks each service's PRIMARY deployment against.
export const ecsTaskDefinitionArns = byService((s) => s.taskDefinitionArn);
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
export const backupBucketName = backup.bucket.bucketName;
export const backupKmsKeyArn = backup.bucket.kmsKeyArn;
export const alertTopicArn = alerts.topicArn;
export const dashboardName = dashboard.dashboardName;
export const sentryProjects = sentry.projectSlugs;
// The client keys preview stacks report through (sentryPreviewKeys); empty in other stacks.
export const sentryPreviewKeys = sentry.previewKeyNames;
// Exported under FINGERPRINTS_OUTPUT; resolves only if no secret is shared with compareSecretsWithStack.
export const secretFingerprints = secretGuard({ project: cfg.project, stack: cfg.stack, secrets: cfg.secrets, compareWithStack: cfg.compareSecretsWithStack });
