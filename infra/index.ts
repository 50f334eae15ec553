/**
 * Entry point: read config once, build the parts in dependency order, export what a person needs.
 * Config is validated inside loadConfig(), before the first resource is declared. Each part's
 * arguments are in infra/parts/<part>.ts, its resources in components/<part>/.
 */
import * as pulumi from "@pulumi/pulumi";
import { readBootstrap } from "./bootstrap";
import { loadConfig } from "./config";
import { printableErrorStacks } from "./errorStacks";
import { backupPart } from "./parts/backup";
import { clusterPart, containersPart } from "./parts/containers";
import { dataPart } from "./parts/data";
import { imagesPart } from "./parts/images";
import { alertingPart, watchPart } from "./parts/monitoring";
import { networkPart } from "./parts/network";
import { sharedInfraPart } from "./parts/shared";
import { sharedDataPart } from "./parts/sharedData";
import { partOptions } from "./providers";
import { secretGuard } from "./secretGuard";

printableErrorStacks();
const cfg = loadConfig();
const bootstrap = readBootstrap(cfg);
// Preview tier (sharedInfraStack): the lender's network, data stores and load balancer, read once.
// No AWS resource is created before the bootstrap stack's and the lender's outputs are known to be there.
const shared = sharedInfraPart(cfg);
const part = partOptions(cfg, shared ? pulumi.all([bootstrap, shared.ready]) : bootstrap);

const network = networkPart(cfg, part("network"), shared);
const cluster = clusterPart(cfg, part("containers"));
const { alerts, sentry } = alertingPart(cfg, part("monitoring"));
const images = imagesPart(cfg, bootstrap, part("images"));
// `own` is undefined in the preview tier: what it holds is the lender's, and not this stack's to back up or watch.
const own = "lender" in network ? undefined : { network, ...dataPart(cfg, { network, clusterArn: cluster.arn, images }, part("data")) };
const { database, cache, vectorStore, dbBootstrap } =
  "lender" in network ? sharedDataPart(cfg, { network, clusterArn: cluster.arn, images }, part("data")) : own!;
const app = containersPart(cfg, { network, cluster, images, database, cache, vectorStore, dbBootstrap, sentry, bootstrap }, part("containers"));
const backup = own
  ? backupPart(
      cfg,
      { network: own.network, clusterArn: cluster.arn, images, database: own.database, vectorStore: own.vectorStore, sentry, alertTopicArn: alerts.topicArn },
      part("backup"),
    )
  : undefined;

const running = app.running;
const serviceNames = Object.fromEntries(Object.entries(running).map(([n, s]) => [n, s.serviceName]));
const { dashboard } = watchPart(
  cfg,
  {
    topicArn: alerts.topicArn,
    resources: {
      alb: { arnSuffix: app.route.albArnSuffix, targetGroupArnSuffix: app.route.targetGroupArnSuffix },
      ecs: { clusterName: cluster.name, serviceNames: { ...serviceNames, ...(own ? { chroma: own.vectorStore.serviceName } : {}) } },
      ...(own
        ? {
            database: { instanceIdentifier: own.database.instanceIdentifier },
            cache: { replicationGroupId: own.cache.replicationGroupId, nodeCount: cfg.redisReplicas + 1 },
            fileSystemId: own.vectorStore.fileSystemId,
          }
        : {}),
    },
    serviceLogGroups: {
      ...Object.fromEntries(Object.entries(running).map(([n, s]) => [n, s.logGroupName])),
      ...(own ? { chroma: own.vectorStore.logGroupName } : {}),
    },
    wafLogGroup: app.wafLogGroupName,
  },
  part("monitoring"),
);

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
export const appSecurityGroupId = network.appSecurityGroupId;
export const jobsSecurityGroupId = network.jobsSecurityGroupId;
// The certificate's name, not the ALB's: the alias record resolves it (issue 15); a preview's host rule's name.
export const apiUrl = app.apiUrl;
export const apiDomainName = app.apiDomainName;
export const hostedZoneId = bootstrap.hostedZoneId;
/** false until the API image has a release: the deploy's smoke check has nothing to ask yet. */
export const apiReleased = images.released.api;
export const albDnsName = app.loadBalancer?.dnsName;
export const albArnSuffix = app.route.albArnSuffix;
// What a preview stack's host rule hangs off (infra/parts/shared.ts), and its WAF's log group.
export const albHttpsListenerArn = app.loadBalancer?.httpsListenerArn;
export const wafLogGroupName = app.wafLogGroupName;
export const apiTargetGroupArnSuffix = app.route.targetGroupArnSuffix;
export const ecrRepositoryUrls = images.repositoryUrls;
export const imageRefs = images.imageRefs;
export const ecsServiceNames = byService((s) => s.serviceName);
// What `npm run release -- verify` checks each service's PRIMARY deployment against.
export const ecsTaskDefinitionArns = byService((s) => s.taskDefinitionArn);
export const postgresAddress = database.address;
export const postgresPort = database.port;
export const postgresMasterSecretArn = own?.database.masterSecretArn;
export const postgresDatabase = database.dbName;
export const dataKmsKeyArn = database.kmsKeyArn;
export const postgresAppSecretArn = database.appSecretArn;
export const postgresBackupSecretArn = database.backupSecretArn;
export const redisPrimaryEndpoint = own?.cache.primaryEndpoint;
export const redisPort = own?.cache.port;
export const redisUrlSecretArn = cache.urlSecretArn;
export const cacheDefaultTtlSeconds = cfg.cacheDefaultTtlSeconds;
export const chromaUrl = vectorStore.url;
export const chromaTokenSecretArn = vectorStore.tokenSecretArn;
export const backupBucketName = backup?.bucket.bucketName;
export const backupKmsKeyArn = backup?.bucket.kmsKeyArn;
export const alertTopicArn = alerts.topicArn;
export const dashboardName = dashboard.dashboardName;
export const sentryProjects = sentry.projectSlugs;
// The client keys preview stacks report through (sentryPreviewKeys); empty in other stacks.
export const sentryPreviewKeys = sentry.previewKeyNames;
// Exported under FINGERPRINTS_OUTPUT; resolves only if no secret is shared with compareSecretsWithStack.
export const secretFingerprints = secretGuard({ project: cfg.project, stack: cfg.stack, secrets: cfg.secrets, compareWithStack: cfg.compareSecretsWithStack });
