/**
 * The plan as a Markdown report for a PR comment (`npm run plan -- <stack> --md FILE`): counts,
 * the architecture diagram, and per component a table of resources with the settings a reviewer
 * checks, security-relevant ones marked ✅/⚠️. Deterministic: same plan, same bytes.
 */
import { mermaid } from "./mermaid";
import { wafRules } from "./wafReport";
import { LoadedStackConfig } from "./stackConfig";
import { groupByComponent } from "./summary";
import { Plan, PlanResource } from "./types";

type Setting = string;
const OK = "✅";
const WARN = "⚠️";

function flag(good: boolean, text: string): Setting {
  return `${good ? OK : WARN} ${text}`;
}

function json(r: PlanResource, key: string): any {
  const x = r.inputs[key];
  try {
    return typeof x === "string" ? JSON.parse(x) : x;
  } catch {
    return undefined;
  }
}

/** Resources of a type that depend on r (its settings live in separate resources: S3, ECS scaling). */
function dependents(plan: Plan, r: PlanResource, type: string): PlanResource[] {
  return plan.resources.filter((x) => x.type === type && x.options.dependsOn.includes(r.urn));
}

function short(type: string): string {
  const [pkg, mod, name] = type.split(":");
  return pkg === "aws" ? mod : `${pkg}:${name ?? mod}`;
}

/** Curated key settings per resource type; others get none (they are counted). */
function settings(plan: Plan, r: PlanResource): Setting[] | undefined {
  const i = r.inputs as Record<string, any>;
  switch (r.type) {
    case "aws:rds/instance:Instance":
      return [
        `${i.engine ?? "?"} ${i.engineVersion ?? ""}`.trim(),
        `class ${i.instanceClass}`,
        `storage ${i.allocatedStorage}-${i.maxAllocatedStorage ?? i.allocatedStorage} GB`,
        `multiAz ${!!i.multiAz}`,
        flag(i.storageEncrypted === true, "encrypted"),
        flag(i.publiclyAccessible !== true, i.publiclyAccessible ? "public" : "private"),
        flag(i.deletionProtection === true, `deletionProtection ${!!i.deletionProtection}`),
        flag((i.backupRetentionPeriod ?? 0) > 0, `backups ${i.backupRetentionPeriod ?? 0} d`),
        flag(i.skipFinalSnapshot !== true, i.skipFinalSnapshot ? "no final snapshot" : "final snapshot"),
      ];
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return [
        `node ${i.nodeType}`,
        `nodes ${i.numCacheClusters ?? "?"}`,
        `failover ${!!i.automaticFailoverEnabled}`,
        flag(i.atRestEncryptionEnabled === true || i.atRestEncryptionEnabled === "true", "encrypted at rest"),
        flag(i.transitEncryptionEnabled === true, "TLS"),
        flag(i.authToken !== undefined, i.authToken !== undefined ? `auth token ${i.authToken}` : "no auth token"),
        `snapshots ${i.snapshotRetentionLimit ?? 0} d`,
      ];
    case "aws:s3/bucket:Bucket": {
      const versioning = dependents(plan, r, "aws:s3/bucketVersioning:BucketVersioning")[0]?.inputs.versioningConfiguration as any;
      const sse = (dependents(plan, r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0]?.inputs.rules as any[])?.[0]
        ?.applyServerSideEncryptionByDefault;
      const pab = dependents(plan, r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]?.inputs as any;
      const lock = dependents(plan, r, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")[0]?.inputs.rule as any;
      const blocked = !!pab && ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => pab[k] === true);
      return [
        `${i.bucket ?? r.name}`,
        flag(versioning?.status === "Enabled", `versioning ${versioning?.status ?? "off"}`),
        flag(!!sse, sse ? `encrypted ${sse.sseAlgorithm}` : "not encrypted"),
        flag(blocked, blocked ? "public access blocked" : "public access NOT blocked"),
        ...(lock ? [`object lock ${lock.defaultRetention?.mode} ${lock.defaultRetention?.days ?? ""} d`] : []),
      ];
    }
    case "aws:ecs/service:Service": {
      const td = plan.resources.find((x) => x.type === "aws:ecs/taskDefinition:TaskDefinition" && r.options.dependsOn.includes(x.urn));
      const scaling = dependents(plan, r, "aws:appautoscaling/target:Target")[0]?.inputs as any;
      return [
        ...(td ? [`cpu ${td.inputs.cpu}`, `memory ${td.inputs.memory}`] : []),
        `desired ${i.desiredCount ?? "?"}`,
        ...(scaling ? [`min ${scaling.minCapacity}`, `max ${scaling.maxCapacity}`] : []),
        flag(i.networkConfiguration?.assignPublicIp !== true, i.networkConfiguration?.assignPublicIp ? "public IP" : "no public IP"),
      ];
    }
    case "aws:ecs/taskDefinition:TaskDefinition": {
      const defs = (json(r, "containerDefinitions") ?? []) as any[];
      const secrets = defs.flatMap((d) => d.secrets ?? []).length;
      return [
        `cpu ${i.cpu}`,
        `memory ${i.memory}`,
        `${defs.length} container(s)`,
        `${secrets} secret(s) from Secrets Manager`,
        flag(
          defs.every((d) => d.readonlyRootFilesystem === true),
          "read-only root fs",
        ),
      ];
    }
    case "aws:lb/loadBalancer:LoadBalancer":
      return [
        i.internal ? "internal" : "internet-facing",
        flag(i.dropInvalidHeaderFields === true, "drops invalid headers"),
        flag(i.enableDeletionProtection === true, `deletionProtection ${!!i.enableDeletionProtection}`),
        flag(i.accessLogs?.enabled === true, "access logs"),
      ];
    case "aws:lb/listener:Listener": {
      const action = (i.defaultActions as any[])?.[0];
      const tls = i.protocol === "HTTPS";
      return [
        `${i.protocol} ${i.port}`,
        action?.type === "redirect" ? `redirect to ${action.redirect?.protocol} ${action.redirect?.port}` : `${action?.type ?? "?"}`,
        ...(tls ? [flag(/TLS13|TLS-1-2/.test(String(i.sslPolicy)), `TLS policy ${i.sslPolicy ?? "default"}`)] : []),
      ];
    }
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
    case "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
      const peer = i.referencedSecurityGroupId ?? i.cidrIpv4 ?? i.cidrIpv6 ?? i.prefixListId ?? "?";
      const open = peer === "0.0.0.0/0" || peer === "::/0";
      const ports = i.ipProtocol === "-1" ? "all" : i.fromPort === i.toPort ? `${i.fromPort}` : `${i.fromPort}-${i.toPort}`;
      const dir = r.type.includes("Ingress") ? `in from ${peer}` : `out to ${peer}`;
      return [`${i.securityGroupId}`, r.type.includes("Ingress") && open ? `${WARN} ${dir}` : dir, `port ${ports}`];
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return [
        `${i.namespace ?? "metrics"} ${i.metricName ?? "(expression)"}`,
        `${i.comparisonOperator} ${i.threshold ?? ""}`.trim(),
        `${i.evaluationPeriods} x ${i.period ?? "?"} s`,
      ];
    case "aws:wafv2/webAcl:WebAcl":
      return [`default ${Object.keys(i.defaultAction ?? {})[0] ?? "?"}`, ...wafRules(i.rules)];
    case "aws:efs/fileSystem:FileSystem":
      return [flag(i.encrypted === true, "encrypted"), `${i.throughputMode ?? "bursting"}`];
    case "aws:kms/key:Key":
      return [flag(i.enableKeyRotation === true, "rotation"), `deletion window ${i.deletionWindowInDays ?? 30} d`];
    case "aws:cloudwatch/logGroup:LogGroup":
      return [flag((i.retentionInDays ?? 0) > 0, `retention ${i.retentionInDays ?? "forever"} d`), ...(i.kmsKeyId ? [`${OK} KMS`] : [])];
    case "aws:secretsmanager/secret:Secret":
      return [`${i.name}`, flag(!!i.kmsKeyId, i.kmsKeyId ? "customer KMS key" : "AWS-managed key")];
    default:
      return undefined;
  }
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function markdownReport(plan: Plan, config: LoadedStackConfig): string {
  const groups = groupByComponent(plan);
  const protectedCount = plan.resources.filter((r) => r.options.protect).length;
  const out = [
    `# Plan: ${plan.project}/${plan.stack}: ${plan.resources.length} resources, ${protectedCount} protected`,
    "",
    "Rendered offline under runtime mocks (no cloud, nothing deployed). Secret values appear as `[secret]`; 🔒 marks `protect`ed resources.",
    "",
    "## Summary",
    "",
    "| component | resources | protected |",
    "|---|---:|---:|",
    ...[...groups].map(([c, rs]) => `| ${cell(c)} | ${rs.length} | ${rs.filter((r) => r.options.protect).length} |`),
    "",
    config.placeholders.length
      ? `**Secrets shown by placeholder** (no value offline): ${config.placeholders.map((k) => `\`${k}\``).join(", ")}`
      : "**Secrets**: all supplied by `--secrets`.",
    "",
    "## Architecture",
    "",
    "Derived from the plan: security-group rules (solid, with ports) and ECS task secrets (dashed).",
    "",
    "```mermaid",
    mermaid(plan),
    "```",
  ];
  for (const [component, resources] of groups) {
    out.push("", `## ${component} (${resources.length})`, "");
    const rows = resources.map((r) => ({ r, s: settings(plan, r) })).filter((x) => x.s);
    if (rows.length) {
      out.push("| resource | type | key settings |", "|---|---|---|");
      for (const { r, s } of rows) out.push(`| ${r.options.protect ? "🔒 " : ""}${cell(r.name)} | ${cell(short(r.type))} | ${cell(s!.join(" · "))} |`);
    }
    const rest = new Map<string, number>();
    for (const r of resources.filter((x) => !settings(plan, x))) rest.set(short(r.type), (rest.get(short(r.type)) ?? 0) + 1);
    if (rest.size)
      out.push(
        "",
        `Also: ${[...rest]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([t, n]) => `${n} × ${t}`)
          .join(", ")}.`,
      );
    const prot = resources.filter((r) => r.options.protect && !settings(plan, r));
    if (prot.length) out.push("", `🔒 also protected: ${prot.map((r) => r.name).join(", ")}.`);
  }
  const outputs = Object.keys(plan.outputs).sort();
  out.push("", "## Outputs", "", outputs.map((k) => `\`${k}\``).join(", ") || "(none)", "");
  return out.join("\n");
}
