/**
 * The architecture diagram of a plan, derived from its resource graph (not drawn by hand):
 * services and stores as nodes inside their component's subgraph; network paths from the
 * security-group rules (source group -> target group on a port, mapped to the resources that
 * attach those groups); secret paths from the ECS task definitions' `secrets` to the component
 * holding each secret; the internet to whatever an open ingress rule admits.
 */
import { componentOf } from "./summary";
import { Plan, PlanResource } from "./types";

const NODE_TYPES: Record<string, string> = {
  "aws:lb/loadBalancer:LoadBalancer": "ALB",
  "aws:ecs/service:Service": "ECS service",
  "aws:rds/instance:Instance": "RDS",
  "aws:elasticache/replicationGroup:ReplicationGroup": "Redis",
  "aws:efs/fileSystem:FileSystem": "EFS",
  "aws:s3/bucket:Bucket": "S3",
  "aws:scheduler/schedule:Schedule": "schedule",
};
const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULES = ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"];
const TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition";
const SECRET = "aws:secretsmanager/secret:Secret";

export interface DiagramNode { id: string; label: string; component: string }
export interface DiagramEdge { from: string; to: string; label: string; kind: "network" | "secret" }
export interface Diagram { components: string[]; nodes: DiagramNode[]; edges: DiagramEdge[] }

export function mermaidId(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

function label(s: string): string {
  return `"${s.replace(/"/g, "#quot;")}"`;
}

/** Every string in a value, JSON strings opened. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") {
    out.push(v);
    if (/^\s*[[{]/.test(v)) {
      try { strings(JSON.parse(v), out); } catch { /* not JSON */ }
    }
  } else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

function ports(r: PlanResource): string {
  const { fromPort: from, toPort: to, ipProtocol: proto } = r.inputs as { fromPort?: number; toPort?: number; ipProtocol?: string };
  if (proto === "-1" || from === undefined) return "all";
  return from === to || to === undefined ? String(from) : `${from}-${to}`;
}

export function architecture(plan: Plan): Diagram {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  // Mock ids are `<logical name>-id`; dependsOn confirms a string really is that resource.
  const sgById = new Map(plan.resources.filter((r) => r.type === SG).map((r) => [`${r.name}-id`, r]));
  const nodeOf = new Map<string, DiagramNode>();
  const components = new Set<string>();
  for (const r of plan.resources) {
    if (r.type.startsWith("chatbot:")) components.add(componentOf(plan, r).replace(/^\(stack\)$/, ""));
  }
  const addNode = (r: PlanResource, kind: string): DiagramNode => {
    const component = componentOf(plan, r);
    const node = { id: mermaidId(r.name), label: `${kind}: ${r.name}`, component };
    if (!nodeOf.has(r.urn)) nodeOf.set(r.urn, node);
    return nodeOf.get(r.urn)!;
  };
  for (const r of plan.resources) if (NODE_TYPES[r.type]) addNode(r, NODE_TYPES[r.type]);

  // Task definitions run by a service or a schedule are that node; others (one-off tasks) are their own.
  const runnerOf = (td: PlanResource): DiagramNode[] => {
    const runners = plan.resources.filter((r) => nodeOf.has(r.urn) && r.options.dependsOn.includes(td.urn) && (r.type === "aws:ecs/service:Service" || r.type === "aws:scheduler/schedule:Schedule"));
    return runners.length ? runners.map((r) => nodeOf.get(r.urn)!) : [addNode(td, "ECS task")];
  };

  // Which nodes attach each security group (a mount target attaches for its file system).
  const attached = new Map<string, Set<string>>();
  for (const r of plan.resources) {
    if (r.type === SG || RULES.includes(r.type)) continue;
    const owner = r.type === "aws:efs/mountTarget:MountTarget"
      ? plan.resources.find((f) => f.type === "aws:efs/fileSystem:FileSystem" && r.inputs.fileSystemId === `${f.name}-id`)
      : r;
    if (!owner) continue;
    for (const s of strings(r.inputs)) {
      const sg = sgById.get(s);
      if (!sg || !r.options.dependsOn.includes(sg.urn)) continue;
      const nodes = owner.type === TASK_DEF ? runnerOf(owner) : nodeOf.has(owner.urn) ? [nodeOf.get(owner.urn)!] : [];
      for (const n of nodes) attached.set(sg.urn, (attached.get(sg.urn) ?? new Set()).add(n.id));
    }
  }

  const edges = new Map<string, DiagramEdge & { labels: Set<string> }>();
  const edge = (from: string, to: string, lbl: string, kind: DiagramEdge["kind"]) => {
    if (from === to) return;
    const key = `${kind} ${from} ${to}`;
    const e = edges.get(key) ?? { from, to, label: "", kind, labels: new Set<string>() };
    e.labels.add(lbl);
    edges.set(key, e);
  };
  let internet = false;
  for (const rule of plan.resources.filter((r) => RULES.includes(r.type))) {
    const own = sgById.get(String(rule.inputs.securityGroupId));
    if (!own) continue;
    const ownNodes = [...(attached.get(own.urn) ?? [])];
    const ingress = rule.type === RULES[0];
    const ref = sgById.get(String(rule.inputs.referencedSecurityGroupId));
    if (ref) {
      for (const other of attached.get(ref.urn) ?? []) {
        for (const mine of ownNodes) ingress ? edge(other, mine, ports(rule), "network") : edge(mine, other, ports(rule), "network");
      }
    } else if (ingress && (rule.inputs.cidrIpv4 === "0.0.0.0/0" || rule.inputs.cidrIpv6 === "::/0")) {
      for (const mine of ownNodes) {
        internet = true;
        edge("internet", mine, ports(rule), "network");
      }
    }
  }

  // Secrets: task definition -> the secret's component, drawn as that component's "secrets" node.
  const secretsByName = new Map(plan.resources.filter((r) => r.type === SECRET).map((r) => [r.name, r]));
  for (const td of plan.resources.filter((r) => r.type === TASK_DEF)) {
    const defs = JSON.parse(typeof td.inputs.containerDefinitions === "string" ? td.inputs.containerDefinitions : "[]") as { secrets?: { valueFrom: string }[] }[];
    const targets = new Set<string>();
    for (const s of defs.flatMap((d) => d.secrets ?? [])) {
      // arn:aws:secretsmanager:<region>:<account>:<name>[:jsonKey::], or RDS's own `secret:rds!<instance>`.
      const f = s.valueFrom.split(":");
      const name = f[5] === "secret" ? (f[6] ?? "").replace(/^rds!/, "") : f[5] ?? "";
      const secret = secretsByName.get(name) ?? plan.resources.find((r) => r.type === "aws:rds/instance:Instance" && r.name === name);
      if (secret) targets.add(componentOf(plan, secret));
    }
    if (!targets.size) continue;
    for (const runner of runnerOf(td)) {
      for (const component of targets) edge(runner.id, `${mermaidId(component)}_secrets`, "secrets", "secret");
    }
  }
  const secretComponents = [...edges.values()].filter((e) => e.kind === "secret").map((e) => e.to);
  const nodes = [...new Map([...nodeOf.values()].map((n) => [n.id, n])).values()];
  for (const component of components) {
    const id = `${mermaidId(component)}_secrets`;
    if (secretComponents.includes(id)) nodes.push({ id, label: "secrets", component });
  }
  if (internet) nodes.push({ id: "internet", label: "Internet", component: "" });
  // A component with nothing to draw still shows, with what it holds.
  for (const component of components) {
    if (nodes.some((n) => n.component === component)) continue;
    const own = plan.resources.filter((r) => !r.type.startsWith("chatbot:") && !r.type.startsWith("pulumi:") && componentOf(plan, r) === component && byUrn.has(r.urn));
    nodes.push({ id: `${mermaidId(component)}_parts`, label: `${own.length} resources`, component });
  }
  return {
    components: [...components].filter(Boolean).sort(),
    nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...edges.values()]
      .map(({ labels, ...e }) => ({ ...e, label: [...labels].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).join(", ") }))
      .sort((a, b) => `${a.kind} ${a.from} ${a.to}`.localeCompare(`${b.kind} ${b.from} ${b.to}`)),
  };
}

/** Mermaid `flowchart LR`: components as subgraphs, network paths solid, secret paths dashed. */
export function mermaid(plan: Plan): string {
  const d = architecture(plan);
  const lines = ["flowchart LR"];
  for (const n of d.nodes.filter((x) => !x.component)) lines.push(`  ${n.id}((${label(n.label)}))`);
  for (const c of d.components) {
    lines.push(`  subgraph ${mermaidId(c)}[${label(c)}]`);
    for (const n of d.nodes.filter((x) => x.component === c)) lines.push(`    ${n.id}[${label(n.label)}]`);
    lines.push("  end");
  }
  for (const e of d.edges) lines.push(`  ${e.from} ${e.kind === "secret" ? "-.->" : "-->"}|${label(e.label)}| ${e.to}`);
  return lines.join("\n");
}

/** A light syntax check of what mermaid() writes: declared ids, balanced subgraphs, known edge targets. */
export function checkMermaid(src: string): string[] {
  const problems: string[] = [];
  const lines = src.split("\n");
  if (lines[0] !== "flowchart LR") problems.push("first line must be `flowchart LR`");
  const ids = new Set<string>();
  let depth = 0;
  for (const line of lines.slice(1)) {
    const t = line.trim();
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^subgraph (\w+)\["[^"]*"\]$/))) { depth++; ids.add(m[1]); }
    else if (t === "end") { if (--depth < 0) problems.push("`end` without subgraph"); }
    else if ((m = t.match(/^(\w+)(\["[^"]*"\]|\(\("[^"]*"\)\))$/))) ids.add(m[1]);
    else if ((m = t.match(/^(\w+) (-->|-\.->)\|"[^"]*"\| (\w+)$/))) {
      for (const id of [m[1], m[3]]) if (!ids.has(id)) problems.push(`edge to undeclared ${id}`);
    } else problems.push(`unparsed line: ${t}`);
  }
  if (depth !== 0) problems.push("unbalanced subgraph");
  return problems;
}
