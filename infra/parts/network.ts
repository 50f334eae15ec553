import * as pulumi from "@pulumi/pulumi";
import { Network } from "../../components/network/network";
import { StackConfig } from "../config";
import { SharedInfra } from "./shared";
import { sharedNetwork, SharedNetwork } from "./sharedNetwork";

/** The stack's own VPC, or (preview tier) the lender's: then no network resource is declared. */
export function networkPart(cfg: StackConfig, opts: pulumi.ComponentResourceOptions, shared?: SharedInfra): Network | SharedNetwork {
  if (shared) return sharedNetwork(shared);
  return new Network(
    "network",
    { namePrefix: cfg.namePrefix, cidr: cfg.vpcCidr, azCount: cfg.azCount, natGateways: cfg.natGateways, flowLogRetentionDays: cfg.flowLogRetentionDays },
    opts,
  );
}
