/**
 * What a stack needs of the AWS account, read from its offline plan (never from a hand-kept list,
 * so it follows the program): the region, the global names it claims (S3 buckets, KMS aliases),
 * the certificate its HTTPS listeners use, the tools its local commands run, and how many of
 * each quota-limited resource it creates.
 */
import { Plan, PlanResource } from "../plan/types";

export interface BucketNeed {
  /** Logical name in the plan, so a problem names the resource. */
  resource: string;
  bucket: string;
}

export interface CertificateNeed {
  resource: string;
  arn: string;
}

export interface Needs {
  stack: string;
  region: string;
  buckets: BucketNeed[];
  /** KMS aliases the stack creates (they must be free, or the stack's own). */
  kmsAliases: { resource: string; alias: string }[];
  certificates: CertificateNeed[];
  /** Executables a resource runs on the deploying machine, with the resource that needs each. */
  tools: { tool: string; resource: string }[];
  /** Resources per type, for the quotas. */
  counts: Record<string, number>;
  /** Logical names per type, so a quota problem names the resources that need it. */
  names: Record<string, string[]>;
  /** NAT gateways per availability zone (a per-AZ quota). */
  natPerAz: Record<string, number>;
  /** Listener rules per load balancer: `new:<resource>` for one the plan creates, else the listener ARN. */
  rulesPerListenerTarget: Record<string, number>;
  /** ECS services per cluster: `new:<resource>` for one the plan creates, else the cluster input. */
  servicesPerCluster: Record<string, number>;
}

const TYPES = {
  bucket: "aws:s3/bucket:Bucket",
  alias: "aws:kms/alias:Alias",
  listener: "aws:lb/listener:Listener",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  nat: "aws:ec2/natGateway:NatGateway",
  subnet: "aws:ec2/subnet:Subnet",
  cluster: "aws:ecs/cluster:Cluster",
  service: "aws:ecs/service:Service",
  command: "command:local:Command",
  image: "docker:index/image:Image",
  provider: "pulumi:providers:aws",
} as const;

/**
 * Under the mocks a resource's id is `<name>-id` and its ARN ends in `:<name>`
 * (tools/plan/mockOutputs.ts): that is how an input refers to another resource of the plan.
 */
function refersTo(value: unknown, r: PlanResource): boolean {
  return typeof value === "string" && (value === `${r.name}-id` || value.endsWith(`:${r.name}`));
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/**
 * The stack's region: the one most of its providers use. A second region's provider (the backup
 * replica's) holds a few resources whose quotas are not the ones checked here (README: Preflight).
 */
function regionOf(plan: Plan): string {
  const counts = new Map<string, number>();
  for (const r of plan.resources.filter((x) => x.type === TYPES.provider)) {
    const region = str(r.inputs.region);
    if (region) counts.set(region, (counts.get(region) ?? 0) + 1);
  }
  const region = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!region) throw new Error("the plan has no AWS provider with a region");
  return region;
}

/** Commands the plan runs locally that call these executables (the first word of a command line). */
function toolsOf(plan: Plan): Needs["tools"] {
  const out: Needs["tools"] = [];
  for (const r of plan.resources) {
    if (r.type === TYPES.image) out.push({ tool: "docker", resource: r.name });
    if (r.type === TYPES.command) {
      const script = [r.inputs.create, r.inputs.update, r.inputs.delete].filter((s) => typeof s === "string").join("\n");
      if (/(^|[\s;|&(`$])aws\s+[a-z]/m.test(script)) out.push({ tool: "aws", resource: r.name });
      if (/(^|[\s;|&(`$])docker\s+[a-z]/m.test(script)) out.push({ tool: "docker", resource: r.name });
    }
  }
  return out;
}

function grouped(resources: PlanResource[], key: (r: PlanResource) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of resources) out[key(r)] = (out[key(r)] ?? 0) + 1;
  return out;
}

function namesByType(resources: PlanResource[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of resources) (out[r.type] ??= []).push(r.name);
  return out;
}

export function needsOf(plan: Plan): Needs {
  const of = (type: string) => plan.resources.filter((r) => r.type === type);
  const subnets = of(TYPES.subnet);
  const listeners = of(TYPES.listener);
  const lbs = of(TYPES.loadBalancer);
  const clusters = of(TYPES.cluster);
  const natAz = (nat: PlanResource) => str(subnets.find((s) => refersTo(nat.inputs.subnetId, s))?.inputs.availabilityZone) ?? "unknown AZ";
  const ruleTarget = (rule: PlanResource) => {
    const listener = listeners.find((l) => refersTo(rule.inputs.listenerArn, l));
    const lb = listener && lbs.find((b) => refersTo(listener.inputs.loadBalancerArn, b));
    return lb ? `new:${lb.name}` : listener ? `new:${listener.name}` : String(rule.inputs.listenerArn ?? "unknown listener");
  };
  const clusterOf = (svc: PlanResource) => {
    const c = clusters.find((x) => refersTo(svc.inputs.cluster, x));
    return c ? `new:${c.name}` : String(svc.inputs.cluster ?? "default");
  };
  return {
    stack: plan.stack,
    region: regionOf(plan),
    buckets: of(TYPES.bucket)
      .map((r) => ({ resource: r.name, bucket: str(r.inputs.bucket) ?? "" }))
      .filter((b) => b.bucket),
    kmsAliases: of(TYPES.alias)
      .map((r) => ({ resource: r.name, alias: str(r.inputs.name) ?? "" }))
      .filter((a) => a.alias),
    certificates: listeners.filter((l) => str(l.inputs.certificateArn)).map((l) => ({ resource: l.name, arn: l.inputs.certificateArn as string })),
    tools: toolsOf(plan),
    counts: grouped(plan.resources, (r) => r.type),
    names: namesByType(plan.resources),
    natPerAz: grouped(of(TYPES.nat), natAz),
    rulesPerListenerTarget: grouped(of(TYPES.listenerRule), ruleTarget),
    servicesPerCluster: grouped(of(TYPES.service), clusterOf),
  };
}
