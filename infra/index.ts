/**
 * Entry point: read config once, build the parts in dependency order, export what a person needs.
 * Config is validated inside loadConfig(), before the first resource is declared.
 */
import { Cluster } from "../components/cluster";
import { Network } from "../components/network";
import { loadConfig } from "./config";
import { awsProviderFor } from "./providers";

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

export const tier = cfg.tier;
export const region = cfg.region;
export const vpcId = network.vpcId;
export const privateSubnetIds = network.privateSubnetIds;
export const publicSubnetIds = network.publicSubnetIds;
export const ecsClusterName = cluster.name;
