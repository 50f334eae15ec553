/**
 * The regional quotas a stack can run into, each tied to the plan's resource type that consumes
 * it. The value is the account's applied quota from Service Quotas, else the service's own limits
 * API, else AWS's documented default (said in a note). Codes and defaults: the Service Quotas
 * console and docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html,
 * .../elasticloadbalancing/latest/application/load-balancer-limits.html,
 * .../AmazonECS/latest/developerguide/service-quotas.html, .../AmazonRDS/latest/UserGuide/CHAP_Limits.html.
 */
import { DescribeAccountAttributesCommand } from "@aws-sdk/client-ec2";
import { DescribeAccountLimitsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeAccountAttributesCommand as RdsAccountAttributesCommand } from "@aws-sdk/client-rds";
import { GetServiceQuotaCommand } from "@aws-sdk/client-service-quotas";
import type { Clients } from "./clients";
import type { Needs } from "./needs";
import { awsError } from "./problem";
import * as usage from "./usage";

export interface QuotaSpec {
  name: string;
  /** The plan's resource type that consumes it. */
  type: string;
  serviceCode: string;
  quotaCode: string;
  awsDefault: number;
  /** What the plan needs, per scope ("region", an AZ, `new:<resource>` or an existing ARN). */
  need: (n: Needs) => Record<string, number>;
  /** What the account uses; undefined when no installed client can read it. */
  inUse?: (c: Clients) => Promise<usage.InUse[]>;
  /** The service's own limits API, when Service Quotas does not answer. */
  native?: (c: Clients) => Promise<number | undefined>;
  /** How to lower the need, beside raising the quota. */
  hint: string;
}

const perRegion =
  (type: string) =>
  (n: Needs): Record<string, number> =>
    n.counts[type] ? { region: n.counts[type] } : {};

async function elbLimit(c: Clients, name: string): Promise<number | undefined> {
  const limits = (await c.elb.send(new DescribeAccountLimitsCommand({}))).Limits ?? [];
  const max = limits.find((l) => l.Name === name)?.Max;
  return max === undefined ? undefined : Number(max);
}

/** RDS's own account attributes carry the DB instance quota (`DBInstances`: Max and Used). */
async function rdsLimit(c: Clients): Promise<number | undefined> {
  const quotas = (await c.rds.send(new RdsAccountAttributesCommand({}))).AccountQuotas ?? [];
  const max = quotas.find((q) => q.AccountQuotaName === "DBInstances")?.Max;
  return max === undefined ? undefined : Number(max);
}

export const QUOTAS: QuotaSpec[] = [
  {
    name: "VPCs per Region",
    serviceCode: "vpc",
    quotaCode: "L-F678F1CE",
    awsDefault: 5,
    type: "aws:ec2/vpc:Vpc",
    need: perRegion("aws:ec2/vpc:Vpc"),
    inUse: usage.vpcs,
    hint: "delete unused VPCs",
  },
  {
    name: "Internet gateways per Region",
    serviceCode: "vpc",
    quotaCode: "L-A4707A72",
    awsDefault: 5,
    type: "aws:ec2/internetGateway:InternetGateway",
    need: perRegion("aws:ec2/internetGateway:InternetGateway"),
    inUse: usage.internetGateways,
    hint: "delete unused VPCs and their gateways",
  },
  {
    name: "NAT gateways per Availability Zone",
    serviceCode: "vpc",
    quotaCode: "L-FE5A380F",
    awsDefault: 5,
    type: "aws:ec2/natGateway:NatGateway",
    need: (n) => n.natPerAz,
    inUse: usage.natGateways,
    hint: "set natGateways: single where one NAT is enough",
  },
  {
    name: "EC2-VPC Elastic IPs",
    serviceCode: "ec2",
    quotaCode: "L-0263D0A3",
    awsDefault: 5,
    type: "aws:ec2/eip:Eip",
    need: perRegion("aws:ec2/eip:Eip"),
    inUse: usage.elasticIps,
    native: async (c) => {
      const attrs = (await c.ec2.send(new DescribeAccountAttributesCommand({}))).AccountAttributes ?? [];
      const v = attrs.find((a) => a.AttributeName === "vpc-max-elastic-ips")?.AttributeValues?.[0]?.AttributeValue;
      return v === undefined ? undefined : Number(v);
    },
    hint: "release unassociated Elastic IPs",
  },
  {
    name: "Application Load Balancers per Region",
    serviceCode: "elasticloadbalancing",
    quotaCode: "L-53DA6B97",
    awsDefault: 50,
    type: "aws:lb/loadBalancer:LoadBalancer",
    need: perRegion("aws:lb/loadBalancer:LoadBalancer"),
    inUse: usage.loadBalancers,
    native: (c) => elbLimit(c, "application-load-balancers"),
    hint: "delete unused load balancers",
  },
  {
    name: "Target Groups per Region",
    serviceCode: "elasticloadbalancing",
    quotaCode: "L-B22855CB",
    awsDefault: 3000,
    type: "aws:lb/targetGroup:TargetGroup",
    need: perRegion("aws:lb/targetGroup:TargetGroup"),
    inUse: usage.targetGroups,
    native: (c) => elbLimit(c, "target-groups"),
    hint: "delete unused target groups",
  },
  {
    name: "Rules per Application Load Balancer",
    serviceCode: "elasticloadbalancing",
    quotaCode: "L-CE3125E5",
    awsDefault: 100,
    type: "aws:lb/listenerRule:ListenerRule",
    need: (n) => n.rulesPerListenerTarget,
    inUse: usage.listenerRules,
    native: (c) => elbLimit(c, "rules-per-application-load-balancer"),
    hint: "destroy finished previews' stacks (their host rules)",
  },
  {
    name: "Services per cluster",
    serviceCode: "ecs",
    quotaCode: "L-9EF96962",
    awsDefault: 5000,
    type: "aws:ecs/service:Service",
    need: (n) => n.servicesPerCluster,
    inUse: usage.ecsServices,
    hint: "delete unused services",
  },
  {
    name: "DB instances",
    serviceCode: "rds",
    quotaCode: "L-7B6409FD",
    awsDefault: 40,
    type: "aws:rds/instance:Instance",
    need: perRegion("aws:rds/instance:Instance"),
    inUse: usage.dbInstances,
    native: rdsLimit,
    hint: "delete unused DB instances",
  },
];

export interface QuotaValue {
  value: number;
  /** Set when the value is AWS's default, not read from the account. */
  assumed?: string;
}

export async function quotaValue(c: Clients, q: QuotaSpec): Promise<QuotaValue> {
  let why: string;
  try {
    const res = await c.quotas.send(new GetServiceQuotaCommand({ ServiceCode: q.serviceCode, QuotaCode: q.quotaCode }));
    if (res.Quota?.Value !== undefined) return { value: res.Quota.Value };
    why = "no value";
  } catch (e) {
    why = awsError(e);
  }
  if (q.native) {
    try {
      const v = await q.native(c);
      if (v !== undefined && Number.isFinite(v)) return { value: v };
    } catch (e) {
      why += `; ${awsError(e)}`;
    }
  }
  return { value: q.awsDefault, assumed: `Service Quotas did not answer for ${q.serviceCode} ${q.quotaCode} (${why}); assumed AWS's default ${q.awsDefault}` };
}
