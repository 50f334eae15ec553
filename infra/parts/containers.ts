import * as pulumi from "@pulumi/pulumi";
import { AppSecrets } from "../../components/containers/appSecrets";
import { Cluster } from "../../components/containers/cluster";
import { LoadBalancer } from "../../components/containers/loadBalancer";
import { parsePathRateLimits, Waf } from "../../components/containers/waf";
import { Cache } from "../../components/data/cache";
import { Database } from "../../components/data/database";
import { DbBootstrap } from "../../components/data/dbBootstrap";
import { VectorStore } from "../../components/data/vectorStore";
import { Images } from "../../components/images/images";
import { Sentry } from "../../components/monitoring/sentry";
import { Network } from "../../components/network/network";
import type { AppStackBootstrap } from "../../bootstrap/contract";
import { StackConfig } from "../config";
import { appServices } from "./services";

export const API_PORT = 8000;

export function clusterPart(cfg: StackConfig, opts: pulumi.ComponentResourceOptions): Cluster {
  return new Cluster("ecs", { namePrefix: cfg.namePrefix }, opts);
}

export interface ContainersInputs {
  network: Network;
  cluster: Cluster;
  images: Images;
  database: Database;
  cache: Cache;
  vectorStore: VectorStore;
  dbBootstrap: DbBootstrap;
  sentry: Sentry;
  bootstrap: pulumi.Output<AppStackBootstrap>;
}

/** The app secrets, the API's load balancer and WAF, then the services that use them all. */
export function containersPart(cfg: StackConfig, inputs: ContainersInputs, opts: pulumi.ComponentResourceOptions) {
  const { network } = inputs;
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
    // Unprotected (pr-<n>) stacks delete at once: a re-created stack reuses the same names at once.
    recoveryWindowInDays: cfg.protectStatefulResources ? 30 : 0,
    protect: cfg.protectStatefulResources,
  }, opts);
  const loadBalancer = new LoadBalancer("api", {
    namePrefix: cfg.namePrefix,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    albSecurityGroupId: network.albSecurityGroupId,
    targetSecurityGroupId: network.appSecurityGroupId,
    certificateArn: inputs.bootstrap.certificateArn,
    // Previews' hosts (`pr-<n>.<domainName>`) answer on this listener with the entry's wildcard certificate.
    wildcardCertificateArn: cfg.wildcardCertificate ? inputs.bootstrap.apply((b) => b.wildcardCertificateArn!) : undefined,
    domainName: cfg.domainName,
    hostedZoneId: inputs.bootstrap.hostedZoneId,
    targetPort: API_PORT,
    healthCheckPath: "/api/health",
    deletionProtection: cfg.albDeletionProtection,
    deregistrationDelaySeconds: cfg.albDeregistrationDelaySeconds,
    accessLogRetentionDays: cfg.albAccessLogRetentionDays,
    protect: cfg.protectStatefulResources,
  }, opts);
  const waf = new Waf("waf", {
    namePrefix: cfg.namePrefix,
    resourceArn: loadBalancer.arn,
    rateLimitPer5Min: cfg.wafRateLimitPer5Min,
    pathRateLimits: parsePathRateLimits(cfg.wafPathRateLimits),
    clientRateLimit: cfg.wafClientKeyHeader ? { header: cfg.wafClientKeyHeader, limit: cfg.wafClientRateLimitPer5Min } : undefined,
    largeBodyPaths: cfg.wafLargeBodyPaths,
    logRetentionDays: cfg.appLogRetentionDays,
  }, opts);
  const services = appServices(cfg, { ...inputs, appSecrets, loadBalancer, apiPort: API_PORT }, { ...opts, dependsOn: [inputs.dbBootstrap.done] });
  return { appSecrets, loadBalancer, waf, ...services };
}
