import * as pulumi from "@pulumi/pulumi";
import { SharedInfra } from "./shared";

/** What the app's parts take of a network: the stack's own (components/network) or a lender's. */
export interface NetworkView {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  appSecurityGroupId: pulumi.Output<string>;
  jobsSecurityGroupId: pulumi.Output<string>;
  /** Only a network of the stack's own: a lender's load balancer already has its group. */
  albSecurityGroupId?: pulumi.Output<string>;
}

/** The lender's network (preview tier), and the lender itself for the parts that borrow more. */
export interface SharedNetwork extends NetworkView {
  lender: SharedInfra;
}

/**
 * The lender's VPC, subnets and security groups. A preview's tasks join the lender's `app` and
 * `jobs` groups, which the lender's RDS, Redis, Chroma and load balancer already admit (Chroma
 * admits `jobs`, for the preview's db-init, when the lender sets lendsToPreviews): the preview adds
 * no rule to any of the lender's groups.
 */
export function sharedNetwork(shared: SharedInfra): SharedNetwork {
  return {
    lender: shared,
    vpcId: shared.get("vpcId"),
    privateSubnetIds: shared.subnets("privateSubnetIds"),
    publicSubnetIds: shared.subnets("publicSubnetIds"),
    appSecurityGroupId: shared.get("appSecurityGroupId"),
    jobsSecurityGroupId: shared.get("jobsSecurityGroupId"),
  };
}
