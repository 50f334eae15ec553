import { int, intOneOf, oneOf, str } from "../spec";
import { LOG_RETENTION_DAYS } from "./general";

export const networkKeys = {
  vpcCidr: str({
    description: "IPv4 CIDR of the VPC; subnets are carved from it (/20 each).",
    default: "10.0.0.0/16",
    format: "cidr",
    allowed: "an IPv4 CIDR from /16 to /20, e.g. 10.0.0.0/16",
  }),
  azCount: int({ description: "Availability zones to spread subnets over.", default: 2, min: 2, max: 4 }),
  natGateways: oneOf(["perAz", "single"] as const, {
    description: "`perAz` keeps each AZ's egress up when another AZ fails; `single` shares one NAT gateway to save cost.",
    default: "perAz",
  }),
  flowLogRetentionDays: intOneOf(LOG_RETENTION_DAYS, { description: "Days VPC flow logs are kept in CloudWatch.", default: 90 }),
};
