import * as pulumi from "@pulumi/pulumi";
import { Network } from "../../components/network/network";
import { StackConfig } from "../config";

export function networkPart(cfg: StackConfig, opts: pulumi.ComponentResourceOptions): Network {
  return new Network("network", {
    namePrefix: cfg.namePrefix,
    cidr: cfg.vpcCidr,
    azCount: cfg.azCount,
    natGateways: cfg.natGateways,
    flowLogRetentionDays: cfg.flowLogRetentionDays,
  }, opts);
}
