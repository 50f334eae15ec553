/**
 * Monthly cost of an offline plan (tools/plan/types.ts) from a committed price table
 * (prices/<region>.json). Anything the tables cannot price is listed as unpriced, never counted
 * as zero.
 */
import type { Plan, PlanResource } from "../plan/types";
import usEast1 from "./prices/us-east-1.json";
import euCentral1 from "./prices/eu-central-1.json";
import { FREE_PREFIXES, isComponent, PRICED_ELSEWHERE_OR_FREE } from "./chargeless";

export interface PriceRow {
  usd: number;
  unit: string;
  source: string;
  read: string;
}
export interface Assumption {
  value: number;
  unit: string;
  why: string;
}
export interface PriceTable {
  region: string;
  hoursPerMonth: number;
  /** The day `npm run prices` last read the table from the AWS Price List API; absent: never. */
  priceListRead?: string;
  assumptions: Record<string, Assumption>;
  prices: Record<string, PriceRow>;
}
export const PRICE_TABLES: Record<string, PriceTable> = { "us-east-1": usEast1, "eu-central-1": euCentral1 };

export interface CostLine {
  type: string;
  item: string;
  count: number;
  unitMonthly: number;
  monthly: number;
  basis: string;
}
export interface Unpriced {
  urn: string;
  type: string;
  reason: string;
}
export interface CostEstimate {
  region: string;
  total: number;
  lines: CostLine[];
  unpriced: Unpriced[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

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
  const num = (v: unknown, dflt: number) =>
    typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : dflt;

  // Task definitions run by a service are priced with the service; the others (the backup
  // job) as scheduled tasks.
  const servedTaskDefs = new Set<string>();
  const taskDefOf = (svc: PlanResource): PlanResource | undefined => {
    const td = svc.options.dependsOn.map((u) => byUrn.get(u)).find((d) => d?.type === "aws:ecs/taskDefinition:TaskDefinition");
    if (td) return td;
    const ref = svc.inputs.taskDefinition;
    return plan.resources.find(
      (d) => d.type === "aws:ecs/taskDefinition:TaskDefinition" && typeof ref === "string" && (ref.includes(d.name) || ref === d.inputs.family),
    );
  };
  for (const r of plan.resources)
    if (r.type === "aws:ecs/service:Service") {
      const td = taskDefOf(r);
      if (td) servedTaskDefs.add(td.urn);
    }
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
        add(
          r,
          "NAT gateway",
          [
            ["ec2.natGateway.hour", H],
            ["ec2.natGateway.gb", gb],
          ],
          `${H} h + ${gb} GB processed (assumed)`,
        );
        break;
      }
      case "aws:ec2/eip:Eip":
        add(r, "public IPv4 address", [["ec2.publicIpv4.hour", H]], `${H} h`);
        break;
      case "aws:lb/loadBalancer:LoadBalancer": {
        if ((i.loadBalancerType ?? "application") !== "application") {
          unpriced.push({ urn: r.urn, type: r.type, reason: `load balancer type ${String(i.loadBalancerType)} not in the table` });
          break;
        }
        const lcu = A("albLcu");
        add(
          r,
          "application load balancer",
          [
            ["elb.alb.hour", H],
            ["elb.alb.lcuHour", H * lcu],
          ],
          `${H} h + ${lcu} LCU average (assumed)`,
        );
        break;
      }
      case "aws:rds/instance:Instance": {
        const cls = String(i.instanceClass ?? "(none)");
        const multi = i.multiAz === true || i.multiAz === "true";
        const gb = num(i.allocatedStorage, A("rdsStorageGbDefault"));
        const f = multi ? 2 : 1;
        add(
          r,
          `${cls}${multi ? " multi-AZ" : ""}, ${gb} GB gp3`,
          [
            [`rds.postgres.${cls}.hour`, H * f],
            ["rds.gp3.gbMonth", gb * f],
          ],
          `${H} h${multi ? " x 2 (multi-AZ)" : ""} + ${gb} GB-month storage${multi ? " x 2" : ""}`,
        );
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
        if (!size) {
          unpriced.push({ urn: r.urn, type: r.type, reason: td ? "task definition has no numeric cpu/memory" : "task definition not found in the plan" });
          break;
        }
        const n = num(i.desiredCount, 1);
        add(
          r,
          `${size.vcpu} vCPU / ${size.gb} GB x ${n} tasks`,
          [
            ["fargate.vcpu.hour", H * n * size.vcpu],
            ["fargate.gb.hour", H * n * size.gb],
          ],
          `${H} h x ${n} tasks (desiredCount)`,
        );
        break;
      }
      case "aws:ecs/taskDefinition:TaskDefinition": {
        if (servedTaskDefs.has(r.urn)) break;
        const size = fargate(r);
        if (!size) {
          unpriced.push({ urn: r.urn, type: r.type, reason: "task definition has no numeric cpu/memory" });
          break;
        }
        const h = (A("scheduledTaskMinutesPerRun") / 60) * A("scheduledRunsPerMonth");
        add(
          r,
          `scheduled task ${size.vcpu} vCPU / ${size.gb} GB`,
          [
            ["fargate.vcpu.hour", h * size.vcpu],
            ["fargate.gb.hour", h * size.gb],
          ],
          `${h} h/month: ${A("scheduledRunsPerMonth")} runs x ${A("scheduledTaskMinutesPerRun")} min (assumed)`,
        );
        break;
      }
      case "aws:efs/fileSystem:FileSystem":
        add(r, "EFS file system", [["efs.standard.gbMonth", A("efsGbPerFileSystem")]], `${A("efsGbPerFileSystem")} GB stored (assumed)`);
        break;
      case "aws:s3/bucket:Bucket":
        add(r, "S3 bucket", [["s3.standard.gbMonth", A("s3GbPerBucket")]], `${A("s3GbPerBucket")} GB stored (assumed)`);
        break;
      case "aws:cloudwatch/logGroup:LogGroup":
        add(
          r,
          "log group",
          [["cloudwatch.logs.ingestGb", A("logGbPerGroupPerMonth")]],
          `${A("logGbPerGroupPerMonth")} GB ingested/month (assumed); storage not counted`,
        );
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
        add(
          r,
          `web ACL, ${rules} rules`,
          [
            ["waf.webAcl.month", 1],
            ["waf.rule.month", rules],
            ["waf.millionRequests", m],
          ],
          `1 ACL + ${rules} rules + ${m} M requests (assumed)`,
        );
        break;
      }
      case "aws:ecr/repository:Repository":
        add(r, "ECR repository", [["ecr.gbMonth", A("ecrGbPerRepository")]], `${A("ecrGbPerRepository")} GB of images (assumed)`);
        break;
      case "aws:ec2/vpcEndpoint:VpcEndpoint": {
        if ((i.vpcEndpointType ?? "Gateway") !== "Interface") break; // gateway endpoints (S3, DynamoDB) are free
        const azs = Array.isArray(i.subnetIds) ? i.subnetIds.length : 1;
        const gb = A("interfaceEndpointGbPerMonth");
        add(
          r,
          `interface endpoint x ${azs} AZ`,
          [
            ["vpcEndpoint.interface.hourPerAz", H * azs],
            ["vpcEndpoint.interface.gb", gb],
          ],
          `${H} h x ${azs} AZ + ${gb} GB (assumed)`,
        );
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
