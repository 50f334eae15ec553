/**
 * Estimates over an offline plan (tools/plan/types.ts), as pure functions: monthly cost from a
 * committed price table (prices/<region>.json) and deploy time as the longest path through the
 * dependency graph weighted by typical create times (create-times.json). Anything the tables
 * cannot price is listed as unpriced, never counted as zero.
 */
import type { Plan, PlanResource } from "../plan/types";
import usEast1 from "./prices/us-east-1.json";
import euCentral1 from "./prices/eu-central-1.json";
import createTimes from "./create-times.json";
import { pricesRead } from "./pricesRead";

export interface PriceRow { usd: number; unit: string; source: string; read: string }
export interface Assumption { value: number; unit: string; why: string }
export interface PriceTable {
  region: string;
  hoursPerMonth: number;
  /** The day `npm run prices` last read the table from the AWS Price List API; absent: never. */
  priceListRead?: string;
  assumptions: Record<string, Assumption>;
  prices: Record<string, PriceRow>;
}
export const PRICE_TABLES: Record<string, PriceTable> = { "us-east-1": usEast1, "eu-central-1": euCentral1 };

export interface CostLine { type: string; item: string; count: number; unitMonthly: number; monthly: number; basis: string }
export interface Unpriced { urn: string; type: string; reason: string }
export interface CostEstimate { region: string; total: number; lines: CostLine[]; unpriced: Unpriced[] }

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Types that cost nothing by themselves (the cost sits on another line) or are not AWS. */
const FREE_PREFIXES = ["pulumi:", "random:", "sentry:", "command:", "docker:", "docker-build:"];

export function estimateMonthlyCost(plan: Plan, region: string, table: PriceTable | undefined = PRICE_TABLES[region]): CostEstimate {
  if (!table) throw new Error(`no price table for region ${region} (have: ${Object.keys(PRICE_TABLES).join(", ")})`);
  const H = table.hoursPerMonth;
  const A = (k: string) => {
    const a = table.assumptions[k];
    if (!a) throw new Error(`price table ${region}: missing assumption ${k}`);
    return a.value;
  };
  const lines = new Map<string, CostLine>();
  const unpriced: Unpriced[] = [];
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));

  // A missing price is a reason, not a zero.
  const price = (key: string): number | string => (table.prices[key] ? table.prices[key].usd : `no price row ${key} in prices/${region}.json`);
  const add = (r: PlanResource, item: string, parts: Array<[string, number]>, basis: string) => {
    let unit = 0;
    for (const [key, qty] of parts) {
      const p = price(key);
      if (typeof p === "string") return void unpriced.push({ urn: r.urn, type: r.type, reason: `${item}: ${p}` });
      unit += p * qty;
    }
    const k = `${r.type}|${item}`;
    const line = lines.get(k) ?? { type: r.type, item, count: 0, unitMonthly: round2(unit), monthly: 0, basis };
    line.count += 1;
    line.monthly = round2(line.unitMonthly * line.count);
    lines.set(k, line);
  };
  const num = (v: unknown, dflt: number) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : dflt);

  // Task definitions run by a service are priced with the service; the others (the backup
  // job) as scheduled tasks.
  const servedTaskDefs = new Set<string>();
  const taskDefOf = (svc: PlanResource): PlanResource | undefined => {
    const td = svc.options.dependsOn.map((u) => byUrn.get(u)).find((d) => d?.type === "aws:ecs/taskDefinition:TaskDefinition");
    if (td) return td;
    const ref = svc.inputs.taskDefinition;
    return plan.resources.find((d) => d.type === "aws:ecs/taskDefinition:TaskDefinition" && typeof ref === "string" && (ref.includes(d.name) || ref === d.inputs.family));
  };
  for (const r of plan.resources) if (r.type === "aws:ecs/service:Service") { const td = taskDefOf(r); if (td) servedTaskDefs.add(td.urn); }
  const fargate = (td: PlanResource) => {
    const vcpu = num(td.inputs.cpu, NaN) / 1024;
    const gb = num(td.inputs.memory, NaN) / 1024;
    return Number.isFinite(vcpu) && Number.isFinite(gb) ? { vcpu, gb } : undefined;
  };

  for (const r of plan.resources) {
    const i = r.inputs;
    switch (r.type) {
      case "aws:ec2/natGateway:NatGateway": {
        const gb = A("natGbPerMonthPerGateway");
        add(r, "NAT gateway", [["ec2.natGateway.hour", H], ["ec2.natGateway.gb", gb]], `${H} h + ${gb} GB processed (assumed)`);
        break;
      }
      case "aws:ec2/eip:Eip":
        add(r, "public IPv4 address", [["ec2.publicIpv4.hour", H]], `${H} h`);
        break;
      case "aws:lb/loadBalancer:LoadBalancer": {
        if ((i.loadBalancerType ?? "application") !== "application") { unpriced.push({ urn: r.urn, type: r.type, reason: `load balancer type ${String(i.loadBalancerType)} not in the table` }); break; }
        const lcu = A("albLcu");
        add(r, "application load balancer", [["elb.alb.hour", H], ["elb.alb.lcuHour", H * lcu]], `${H} h + ${lcu} LCU average (assumed)`);
        break;
      }
      case "aws:rds/instance:Instance": {
        const cls = String(i.instanceClass ?? "(none)");
        const multi = i.multiAz === true || i.multiAz === "true";
        const gb = num(i.allocatedStorage, A("rdsStorageGbDefault"));
        const f = multi ? 2 : 1;
        add(r, `${cls}${multi ? " multi-AZ" : ""}, ${gb} GB gp3`, [[`rds.postgres.${cls}.hour`, H * f], ["rds.gp3.gbMonth", gb * f]],
          `${H} h${multi ? " x 2 (multi-AZ)" : ""} + ${gb} GB-month storage${multi ? " x 2" : ""}`);
        break;
      }
      case "aws:elasticache/replicationGroup:ReplicationGroup": {
        const node = String(i.nodeType ?? "(none)");
        const nodes = i.numCacheClusters !== undefined ? num(i.numCacheClusters, 1) : num(i.numNodeGroups, 1) * (1 + num(i.replicasPerNodeGroup, 0));
        add(r, `${node} x ${nodes} nodes`, [[`elasticache.${node}.hour`, H * nodes]], `${H} h x ${nodes} nodes`);
        break;
      }
      case "aws:ecs/service:Service": {
        const td = taskDefOf(r);
        const size = td && fargate(td);
        if (!size) { unpriced.push({ urn: r.urn, type: r.type, reason: td ? "task definition has no numeric cpu/memory" : "task definition not found in the plan" }); break; }
        const n = num(i.desiredCount, 1);
        add(r, `${size.vcpu} vCPU / ${size.gb} GB x ${n} tasks`, [["fargate.vcpu.hour", H * n * size.vcpu], ["fargate.gb.hour", H * n * size.gb]], `${H} h x ${n} tasks (desiredCount)`);
        break;
      }
      case "aws:ecs/taskDefinition:TaskDefinition": {
        if (servedTaskDefs.has(r.urn)) break;
        const size = fargate(r);
        if (!size) { unpriced.push({ urn: r.urn, type: r.type, reason: "task definition has no numeric cpu/memory" }); break; }
        const h = (A("scheduledTaskMinutesPerRun") / 60) * A("scheduledRunsPerMonth");
        add(r, `scheduled task ${size.vcpu} vCPU / ${size.gb} GB`, [["fargate.vcpu.hour", h * size.vcpu], ["fargate.gb.hour", h * size.gb]],
          `${h} h/month: ${A("scheduledRunsPerMonth")} runs x ${A("scheduledTaskMinutesPerRun")} min (assumed)`);
        break;
      }
      case "aws:efs/fileSystem:FileSystem":
        add(r, "EFS file system", [["efs.standard.gbMonth", A("efsGbPerFileSystem")]], `${A("efsGbPerFileSystem")} GB stored (assumed)`);
        break;
      case "aws:s3/bucket:Bucket":
        add(r, "S3 bucket", [["s3.standard.gbMonth", A("s3GbPerBucket")]], `${A("s3GbPerBucket")} GB stored (assumed)`);
        break;
      case "aws:cloudwatch/logGroup:LogGroup":
        add(r, "log group", [["cloudwatch.logs.ingestGb", A("logGbPerGroupPerMonth")]], `${A("logGbPerGroupPerMonth")} GB ingested/month (assumed); storage not counted`);
        break;
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        add(r, "metric alarm", [["cloudwatch.alarm.month", 1]], "1 alarm-month");
        break;
      case "aws:kms/key:Key":
        add(r, "KMS key", [["kms.key.month", 1]], "1 key-month; requests not counted");
        break;
      case "aws:secretsmanager/secret:Secret":
        add(r, "secret", [["secretsmanager.secret.month", 1]], "1 secret-month; API calls not counted");
        break;
      case "aws:wafv2/webAcl:WebAcl": {
        const rules = Array.isArray(i.rules) ? i.rules.length : 0;
        const m = A("wafMillionRequests");
        add(r, `web ACL, ${rules} rules`, [["waf.webAcl.month", 1], ["waf.rule.month", rules], ["waf.millionRequests", m]], `1 ACL + ${rules} rules + ${m} M requests (assumed)`);
        break;
      }
      case "aws:ecr/repository:Repository":
        add(r, "ECR repository", [["ecr.gbMonth", A("ecrGbPerRepository")]], `${A("ecrGbPerRepository")} GB of images (assumed)`);
        break;
      case "aws:ec2/vpcEndpoint:VpcEndpoint": {
        if ((i.vpcEndpointType ?? "Gateway") !== "Interface") break; // gateway endpoints (S3, DynamoDB) are free
        const azs = Array.isArray(i.subnetIds) ? i.subnetIds.length : 1;
        const gb = A("interfaceEndpointGbPerMonth");
        add(r, `interface endpoint x ${azs} AZ`, [["vpcEndpoint.interface.hourPerAz", H * azs], ["vpcEndpoint.interface.gb", gb]], `${H} h x ${azs} AZ + ${gb} GB (assumed)`);
        break;
      }
      case "aws:scheduler/schedule:Schedule":
        add(r, "schedule", [["scheduler.month", 1]], table.prices["scheduler.month"]?.unit ?? "");
        break;
      case "aws:sns/topic:Topic":
        add(r, "SNS topic", [["sns.topic.month", 1]], table.prices["sns.topic.month"]?.unit ?? "");
        break;
      default:
        // Everything else we declare (VPC, subnets, routes, security groups, IAM, policies, target
        // groups, listeners, bucket settings, parameter groups, ...) has no charge of its own.
        if (r.type.startsWith("aws:") && PRICED_ELSEWHERE_OR_FREE.test(r.type)) break;
        if (FREE_PREFIXES.some((p) => r.type.startsWith(p)) || isComponent(r.type, plan.project)) break;
        unpriced.push({ urn: r.urn, type: r.type, reason: "resource type not in the estimator" });
    }
  }
  const sorted = [...lines.values()].sort((a, b) => b.monthly - a.monthly || a.type.localeCompare(b.type) || a.item.localeCompare(b.item));
  return { region, total: round2(sorted.reduce((s, l) => s + l.monthly, 0)), lines: sorted, unpriced };
}

/** AWS types with no charge of their own (or whose charge is on another line, e.g. listeners on the ALB). */
const PRICED_ELSEWHERE_OR_FREE =
  /^aws:(ec2\/(vpc|subnet|routeTable|routeTableAssociation|route|internetGateway|securityGroup|securityGroupRule|vpcSecurityGroupIngressRule|vpcSecurityGroupEgressRule|defaultSecurityGroup|flowLog|networkAcl)|iam\/|vpc\/(securityGroupIngressRule|securityGroupEgressRule)|lb\/(targetGroup|listener|listenerRule|targetGroupAttachment)|acm\/|s3\/bucket[A-Z]|s3\/bucketPolicy|rds\/(subnetGroup|parameterGroup|optionGroup)|elasticache\/(subnetGroup|parameterGroup)|efs\/(mountTarget|accessPoint|backupPolicy|fileSystemPolicy)|ecs\/(cluster|clusterCapacityProviders)|ecr\/(lifecyclePolicy|repositoryPolicy)|kms\/alias|secretsmanager\/secretVersion|cloudwatch\/(eventRule|eventTarget|dashboard)|sns\/topicSubscription|sns\/topicPolicy|servicediscovery\/|wafv2\/webAclAssociation|scheduler\/scheduleGroup|appautoscaling\/|route53\/)/;

/**
 * Component resources do no cloud work: the stack and our own `chatbot:<area>:<Name>` types.
 * (Type tokens alone cannot tell a third-party component from a custom resource without a
 * module path, e.g. `command:local:Command` is custom; we use no third-party components.)
 */
export function isComponent(type: string, project = "chatbot"): boolean {
  return type === "pulumi:pulumi:Stack" || type.startsWith(`${project}:`);
}

// ---------------------------------------------------------------------------------------------
// Deploy time

export interface CreateTimeEntry { seconds: number; why?: string; source?: string; variants?: Array<{ input: string; equals: unknown; seconds: number; why?: string }> }
export interface CreateTimes { defaultSeconds: number; componentSeconds: number; types: Record<string, CreateTimeEntry> }
export interface TimeEstimate { seconds: number; criticalPath: string[] }

export function createSeconds(r: PlanResource, times: CreateTimes = createTimes as CreateTimes, project = "chatbot"): number {
  if (isComponent(r.type, project)) return times.componentSeconds;
  const entry = times.types[r.type] ?? (r.type.startsWith("pulumi:providers:") ? times.types["pulumi:providers:*"] : undefined);
  if (!entry) return times.defaultSeconds;
  const v = entry.variants?.find((x) => r.inputs[x.input] === x.equals);
  return v ? v.seconds : entry.seconds;
}

/**
 * Longest path, in seconds, of creating the plan from nothing, with unlimited parallelism.
 * Edges, as the Pulumi SDK and engine apply them:
 * - a resource waits for each URN in options.dependsOn (explicit and input dependencies);
 *   waiting for a component means waiting for all its descendants (the SDK expands it);
 * - a resource waits for its parent's registration: a custom parent's URN resolves only once
 *   it is created, and a component parent's only after what the component itself waits for;
 *   a component does not wait for its own children to register (its cost is 0);
 * - a resource waits for its explicit provider.
 */
export function estimateDeployTime(plan: Plan, times: CreateTimes = createTimes as CreateTimes): TimeEstimate {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of plan.resources) if (r.parent && byUrn.has(r.parent)) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);

  type T = { t: number; via: string | null };
  const regMemo = new Map<string, T>();
  const doneMemo = new Map<string, T>();
  const visiting = new Set<string>();
  const ancestors = (urn: string) => {
    const out = new Set<string>();
    for (let p = byUrn.get(urn)?.parent ?? null; p && !out.has(p); p = byUrn.get(p)?.parent ?? null) out.add(p);
    return out;
  };

  /** Time at which `urn` is registered (custom: created). via = predecessor on the longest path. */
  const reg = (urn: string): T => {
    const m = regMemo.get(urn);
    if (m) return m;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    const r = byUrn.get(urn)!;
    const anc = ancestors(urn);
    let best: T = { t: 0, via: null };
    const consider = (u: string, t: number) => { if (t > best.t) best = { t, via: u }; };
    if (r.parent && byUrn.has(r.parent)) consider(r.parent, reg(r.parent).t);
    if (r.provider && byUrn.has(r.provider)) consider(r.provider, reg(r.provider).t);
    for (const d of r.options.dependsOn) {
      if (!byUrn.has(d) || d === urn) continue;
      // Depending on an ancestor component waits for its registration only (the SDK excludes ancestors' children).
      if (anc.has(d)) consider(d, reg(d).t);
      else { const x = done(d); consider(x.via ?? d, x.t); }
    }
    const res = { t: best.t + createSeconds(r, times, plan.project), via: best.via };
    visiting.delete(urn);
    regMemo.set(urn, res);
    return res;
  };
  /** Time at which `urn` and, for a component, all its descendants are done. */
  const done = (urn: string): T => {
    const m = doneMemo.get(urn);
    if (m) return m;
    let best: T = { ...reg(urn), via: urn };
    for (const c of children.get(urn) ?? []) { const d = done(c); if (d.t > best.t) best = { t: d.t, via: d.via }; }
    doneMemo.set(urn, best);
    return best;
  };

  let end: T = { t: 0, via: null };
  for (const r of plan.resources) { const d = done(r.urn); if (d.t > end.t || end.via === null) end = { t: d.t, via: d.via }; }
  const path: string[] = [];
  for (let u = end.via; u; u = regMemo.get(u)!.via) {
    if (path.includes(u)) break;
    path.push(u);
  }
  const critical = path.reverse().filter((u) => createSeconds(byUrn.get(u)!, times, plan.project) > 0);
  return { seconds: end.t, criticalPath: critical };
}

// ---------------------------------------------------------------------------------------------

const usd = (n: number) => `$${n.toFixed(2)}`;
const dur = (s: number) => (s >= 60 ? `${Math.floor(s / 60)} min ${s % 60 ? `${s % 60} s` : ""}`.trim() : `${s} s`);

/** A Markdown block for the plan report / CLI. */
export function formatEstimate(cost: CostEstimate, time: TimeEstimate): string {
  const out: string[] = [];
  out.push(`### Estimated monthly cost (${cost.region}, on-demand list prices): ${usd(cost.total)}`, "");
  out.push("| type | item | count | unit / month | month | basis |", "|---|---|---:|---:|---:|---|");
  for (const l of cost.lines) out.push(`| \`${l.type}\` | ${l.item} | ${l.count} | ${usd(l.unitMonthly)} | ${usd(l.monthly)} | ${l.basis} |`);
  if (cost.unpriced.length) {
    out.push("", `**Not priced (${cost.unpriced.length}); the total leaves them out:**`, "");
    for (const u of cost.unpriced) out.push(`- \`${u.urn}\`: ${u.reason}`);
  }
  out.push("", pricesRead(cost.region, PRICE_TABLES[cost.region]), "");
  out.push("Usage quantities are assumptions stated in `tools/estimate/prices/" + cost.region + ".json`; prices there carry their source and read date.", "");
  out.push(`### Estimated time to create from scratch: ${dur(time.seconds)}`, "", "Critical path (typical create times, `tools/estimate/create-times.json`):", "");
  for (const u of time.criticalPath) out.push(`1. \`${u}\``);
  return out.join("\n") + "\n";
}
