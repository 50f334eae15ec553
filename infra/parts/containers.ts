import * as pulumi from "@pulumi/pulumi";
import { AppSecrets } from "../../components/containers/appSecrets";
import { Cluster } from "../../components/containers/cluster";
import { LoadBalancer } from "../../components/containers/loadBalancer";
import { parsePathRateLimits, Waf } from "../../components/containers/waf";
import { HostRoute } from "../../components/containers/hostRoute";
import { DbBootstrap } from "../../components/data/dbBootstrap";
import { Images } from "../../components/images/images";
import { Sentry } from "../../components/monitoring/sentry";
import type { AppStackBootstrap } from "../../bootstrap/contract";
import { StackConfig } from "../config";
import { appServices, ServiceStores } from "./services";
import { NetworkView, SharedNetwork } from "./sharedNetwork";

export const API_PORT = 8000;

export function clusterPart(cfg: StackConfig, opts: pulumi.ComponentResourceOptions): Cluster {
  return new Cluster("ecs", { namePrefix: cfg.namePrefix }, opts);
}

export interface ContainersInputs extends ServiceStores {
  /** The stack's own network (components/network) or a lender's (preview tier). */
  network: NetworkView | SharedNetwork;
  cluster: Cluster;
  images: Images;
  dbBootstrap: DbBootstrap;
  sentry: Sentry;
  bootstrap: pulumi.Output<AppStackBootstrap>;
}

/** The app secrets, the API's load balancer and WAF (or a host route on a lender's), then the services that use them all. */
export function containersPart(cfg: StackConfig, inputs: ContainersInputs, opts: pulumi.ComponentResourceOptions) {
  const { network } = inputs;
  // Preview tier: the API goes behind the lender's HTTPS listener instead of a load balancer of its own.
  const shared = "lender" in network ? network.lender : undefined;
  const appSecrets = new AppSecrets(
    "app-secrets",
    {
      namePrefix: cfg.namePrefix,
      // Only what a running service reads: a disabled bot's token is not stored.
      values: {
        appSecretKey: cfg.secrets.appSecretKey,
        stripeApiKey: cfg.secrets.stripeApiKey,
        llmApiKey: cfg.secrets.llmApiKey,
        ...(cfg.telegramBotEnabled ? { telegramBotToken: cfg.secrets.telegramBotToken } : {}),
        ...(cfg.discordBotEnabled ? { discordBotToken: cfg.secrets.discordBotToken } : {}),
      },
      // Unprotected (preview) secrets go at once: a destroyed stack can be created again straight away.
      recoveryWindowInDays: cfg.protectStatefulResources ? 30 : 0,
      protect: cfg.protectStatefulResources,
    },
    opts,
  );
  if (shared) {
    const route = new HostRoute(
      "api",
      {
        namePrefix: cfg.namePrefix,
        vpcId: network.vpcId,
        listenerArn: shared.get("albHttpsListenerArn"),
        albArnSuffix: shared.get("albArnSuffix"),
        host: `${cfg.stack}.${cfg.previewDomain}`,
        targetPort: API_PORT,
        healthCheckPath: "/api/health",
        deregistrationDelaySeconds: cfg.albDeregistrationDelaySeconds,
      },
      opts,
    );
    const services = appServices(cfg, { ...inputs, appSecrets, loadBalancer: route, apiPort: API_PORT }, { ...opts, dependsOn: [inputs.dbBootstrap.done] });
    return {
      appSecrets,
      route,
      loadBalancer: undefined,
      waf: undefined,
      apiUrl: pulumi.output(route.url),
      apiDomainName: pulumi.output(route.host),
      wafLogGroupName: shared.get("wafLogGroupName"),
      ...services,
    };
  }
  if (!network.albSecurityGroupId) throw new Error("containers: a load balancer of the stack's own needs the network's ALB security group");
  const loadBalancer = new LoadBalancer(
    "api",
    {
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
    },
    opts,
  );
  const waf = new Waf(
    "waf",
    {
      namePrefix: cfg.namePrefix,
      resourceArn: loadBalancer.arn,
      rateLimitPer5Min: cfg.wafRateLimitPer5Min,
      pathRateLimits: parsePathRateLimits(cfg.wafPathRateLimits),
      clientRateLimit: cfg.wafClientKeyHeader ? { header: cfg.wafClientKeyHeader, limit: cfg.wafClientRateLimitPer5Min } : undefined,
      largeBodyPaths: cfg.wafLargeBodyPaths,
      logRetentionDays: cfg.appLogRetentionDays,
    },
    opts,
  );
  const services = appServices(cfg, { ...inputs, appSecrets, loadBalancer, apiPort: API_PORT }, { ...opts, dependsOn: [inputs.dbBootstrap.done] });
  return {
    appSecrets,
    route: loadBalancer,
    loadBalancer,
    waf,
    // The certificate's name, not the ALB's: the alias record resolves it (issue 15).
    apiUrl: pulumi.interpolate`https://${loadBalancer.domainName}`,
    apiDomainName: loadBalancer.domainName,
    wafLogGroupName: waf.logGroupName,
    ...services,
  };
}
