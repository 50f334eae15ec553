/**
 * What the account already uses of each quota, resource by resource with its `stack` tag (the
 * providers' default tags put one on everything the program creates), so the preflight can tell
 * this stack's own resources and the open previews' (`pr-*`) apart from the rest.
 */
import {
  DescribeAddressesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  Tag,
} from "@aws-sdk/client-ec2";
import { ListClustersCommand, ListServicesCommand } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import type { Clients } from "./clients";

export interface InUse {
  /** The scope the quota counts in: "region", an availability zone, a load balancer's or cluster's ARN. */
  scope: string;
  /** Value of the resource's `stack` tag, if any. */
  stack?: string;
}

const stackTag = (tags?: { Key?: string; Value?: string }[]) => tags?.find((t: Tag) => t.Key === "stack")?.Value;

async function pages<T, P>(first: (token?: string) => Promise<P>, items: (p: P) => T[], next: (p: P) => string | undefined): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await first(token);
    out.push(...items(page));
    token = next(page);
  } while (token);
  return out;
}

export async function vpcs(c: Clients): Promise<InUse[]> {
  const all = await pages(
    (t) => c.ec2.send(new DescribeVpcsCommand({ NextToken: t })),
    (p) => p.Vpcs ?? [],
    (p) => p.NextToken,
  );
  return all.map((v) => ({ scope: "region", stack: stackTag(v.Tags) }));
}

export async function internetGateways(c: Clients): Promise<InUse[]> {
  const all = await pages(
    (t) => c.ec2.send(new DescribeInternetGatewaysCommand({ NextToken: t })),
    (p) => p.InternetGateways ?? [],
    (p) => p.NextToken,
  );
  return all.map((g) => ({ scope: "region", stack: stackTag(g.Tags) }));
}

export async function elasticIps(c: Clients): Promise<InUse[]> {
  const res = await c.ec2.send(new DescribeAddressesCommand({}));
  return (res.Addresses ?? []).map((a) => ({ scope: "region", stack: stackTag(a.Tags) }));
}

/** NAT gateways count per availability zone, found through each one's subnet. */
export async function natGateways(c: Clients): Promise<InUse[]> {
  const nats = await pages(
    (t) => c.ec2.send(new DescribeNatGatewaysCommand({ NextToken: t, Filter: [{ Name: "state", Values: ["pending", "available"] }] })),
    (p) => p.NatGateways ?? [],
    (p) => p.NextToken,
  );
  const subnetIds = [...new Set(nats.map((n) => n.SubnetId).filter((s): s is string => !!s))];
  const azOf = new Map<string, string>();
  if (subnetIds.length) {
    for (const s of (await c.ec2.send(new DescribeSubnetsCommand({ SubnetIds: subnetIds }))).Subnets ?? []) azOf.set(s.SubnetId!, s.AvailabilityZone!);
  }
  return nats.map((n) => ({ scope: azOf.get(n.SubnetId ?? "") ?? "unknown AZ", stack: stackTag(n.Tags) }));
}

async function elbTags(c: Clients, arns: string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (let i = 0; i < arns.length; i += 20) {
    const res = await c.elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of res.TagDescriptions ?? []) out.set(d.ResourceArn!, stackTag(d.Tags));
  }
  return out;
}

async function applicationLoadBalancers(c: Clients) {
  const all = await pages(
    (m) => c.elb.send(new DescribeLoadBalancersCommand({ Marker: m })),
    (p) => p.LoadBalancers ?? [],
    (p) => p.NextMarker,
  );
  return all.filter((lb) => lb.Type === "application");
}

export async function loadBalancers(c: Clients): Promise<InUse[]> {
  const albs = await applicationLoadBalancers(c);
  const tags = await elbTags(
    c,
    albs.map((lb) => lb.LoadBalancerArn!),
  );
  return albs.map((lb) => ({ scope: "region", stack: tags.get(lb.LoadBalancerArn!) }));
}

export async function targetGroups(c: Clients): Promise<InUse[]> {
  const all = await pages(
    (m) => c.elb.send(new DescribeTargetGroupsCommand({ Marker: m })),
    (p) => p.TargetGroups ?? [],
    (p) => p.NextMarker,
  );
  const tags = await elbTags(
    c,
    all.map((tg) => tg.TargetGroupArn!),
  );
  return all.map((tg) => ({ scope: "region", stack: tags.get(tg.TargetGroupArn!) }));
}

/** Non-default listener rules, scoped by their load balancer's ARN (the quota is per ALB). */
export async function listenerRules(c: Clients): Promise<InUse[]> {
  const out: InUse[] = [];
  for (const lb of await applicationLoadBalancers(c)) {
    const listeners = await pages(
      (m) => c.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn, Marker: m })),
      (p) => p.Listeners ?? [],
      (p) => p.NextMarker,
    );
    for (const l of listeners) {
      const rules = ((await c.elb.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules ?? []).filter((r) => !r.IsDefault);
      const tags = await elbTags(
        c,
        rules.map((r) => r.RuleArn!),
      );
      for (const r of rules) out.push({ scope: lb.LoadBalancerArn!, stack: tags.get(r.RuleArn!) });
    }
  }
  return out;
}

/** ECS services, scoped by their cluster's ARN (the quota is per cluster). */
export async function ecsServices(c: Clients): Promise<InUse[]> {
  const clusters = await pages(
    (t) => c.ecs.send(new ListClustersCommand({ nextToken: t })),
    (p) => p.clusterArns ?? [],
    (p) => p.nextToken,
  );
  const out: InUse[] = [];
  for (const cluster of clusters) {
    const services = await pages(
      (t) => c.ecs.send(new ListServicesCommand({ cluster, nextToken: t })),
      (p) => p.serviceArns ?? [],
      (p) => p.nextToken,
    );
    for (const _ of services) out.push({ scope: cluster });
  }
  return out;
}

/** DB instances of every engine count against one regional quota; deleting ones still count until gone. */
export async function dbInstances(c: Clients): Promise<InUse[]> {
  const all = await pages(
    (t) => c.rds.send(new DescribeDBInstancesCommand({ Marker: t })),
    (p) => p.DBInstances ?? [],
    (p) => p.Marker,
  );
  return all.map((d) => ({ scope: "region", stack: stackTag(d.TagList) }));
}
