/**
 * The architecture diagram of a plan, derived from its resource graph (not drawn by hand): one
 * subgraph per part (network, containers, data, backup, ...), the services, tasks and stores
 * inside it, and one edge per client/store pair carrying everything between them: the ports its
 * security-group rules open (source group -> target group, mapped to the resources that attach
 * those groups) and, when the client's task reads secrets the store's component holds,
 * "secrets". Schedules running one task are one client; components with nothing to draw are one
 * line per part with their resource count.
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
};
/** Which node of a component stands for it as the holder of its secrets, best first. */
const SECRET_HOLDERS = ["RDS", "Redis", "ECS service", "EFS", "S3"];
const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULES = ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"];
const TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const SERVICE = "aws:ecs/service:Service";
const SECRET = "aws:secretsmanager/secret:Secret";

export interface DiagramNode {
  id: string;
  label: string;
  part: string;
  kind: string;
}
export interface DiagramEdge {
  from: string;
  to: string;
  ports: string[];
  secrets: boolean;
}
export interface Diagram {
  parts: string[];
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

export function mermaidId(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "");
}

function label(s: string): string {
  return `"${s.replace(/"/g, "#quot;")}"`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Every string in a value, JSON strings opened. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") {
    out.push(v);
    if (/^\s*[[{]/.test(v)) {
      try {
        strings(JSON.parse(v), out);
      } catch {
        /* not JSON */
      }
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

const partOf = (component: string) => (component === "(stack)" ? "" : component.split(":")[0]);

export function architecture(plan: Plan): Diagram {
  // Mock ids are `<logical name>-id`; dependsOn confirms a string really is that resource.
  const sgById = new Map(plan.resources.filter((r) => r.type === SG).map((r) => [`${r.name}-id`, r]));
  const nodeOf = new Map<string, DiagramNode>();
  const componentOfNode = new Map<DiagramNode, string>();
  const addNode = (r: PlanResource, kind: string, lbl = `${kind}: ${r.name}`): DiagramNode => {
    if (!nodeOf.has(r.urn)) {
      const component = componentOf(plan, r);
      const node = { id: mermaidId(r.name), label: lbl, part: partOf(component), kind };
      nodeOf.set(r.urn, node);
      componentOfNode.set(node, component);
    }
    return nodeOf.get(r.urn)!;
  };
  for (const r of plan.resources) if (NODE_TYPES[r.type]) addNode(r, NODE_TYPES[r.type]);

  // Clients of a task definition: the services running it, else the task itself (scheduled or one-off).
  const runners = (td: PlanResource, type: string) => plan.resources.filter((r) => r.type === type && r.options.dependsOn.includes(td.urn));
  const clientsOf = (td: PlanResource): DiagramNode[] => {
    const services = runners(td, SERVICE)
      .map((r) => nodeOf.get(r.urn)!)
      .filter(Boolean);
    if (services.length) return services;
    const n = runners(td, SCHEDULE).length;
    return [n ? addNode(td, "scheduled task", `scheduled task: ${td.name} (${plural(n, "schedule")})`) : addNode(td, "ECS task")];
  };
  const tdOfSchedule = (s: PlanResource) => plan.resources.find((r) => r.type === TASK_DEF && s.options.dependsOn.includes(r.urn));
  /** The nodes a resource attaching a security group stands for. */
  const nodesFor = (r: PlanResource): DiagramNode[] => {
    if (r.type === TASK_DEF) return clientsOf(r);
    if (r.type === SCHEDULE) return tdOfSchedule(r) ? clientsOf(tdOfSchedule(r)!) : [];
    if (r.type === "aws:efs/mountTarget:MountTarget") {
      const fs = plan.resources.find((f) => f.type === "aws:efs/fileSystem:FileSystem" && r.inputs.fileSystemId === `${f.name}-id`);
      return fs ? [nodeOf.get(fs.urn)!] : [];
    }
    return nodeOf.has(r.urn) ? [nodeOf.get(r.urn)!] : [];
  };

  const attached = new Map<string, Set<string>>();
  for (const r of plan.resources) {
    if (r.type === SG || RULES.includes(r.type)) continue;
    for (const s of strings(r.inputs)) {
      const sg = sgById.get(s);
      if (!sg || !r.options.dependsOn.includes(sg.urn)) continue;
      for (const n of nodesFor(r)) attached.set(sg.urn, (attached.get(sg.urn) ?? new Set()).add(n.id));
    }
  }

  const edges = new Map<string, { from: string; to: string; ports: Set<string>; secrets: boolean }>();
  const edge = (from: string, to: string, port?: string) => {
    if (from === to) return;
    const e = edges.get(`${from} ${to}`) ?? { from, to, ports: new Set<string>(), secrets: false };
    if (port) e.ports.add(port);
    else e.secrets = true;
    edges.set(`${from} ${to}`, e);
  };
  let internet = false;
  for (const rule of plan.resources.filter((r) => RULES.includes(r.type))) {
    const own = sgById.get(String(rule.inputs.securityGroupId));
    if (!own) continue;
    const ownNodes = [...(attached.get(own.urn) ?? [])];
    const ingress = rule.type === RULES[0];
    const ref = sgById.get(String(rule.inputs.referencedSecurityGroupId));
    if (ref) {
      for (const other of attached.get(ref.urn) ?? [])
        for (const mine of ownNodes)
          if (ingress) edge(other, mine, ports(rule));
          else edge(mine, other, ports(rule));
    } else if (ingress && (rule.inputs.cidrIpv4 === "0.0.0.0/0" || rule.inputs.cidrIpv6 === "::/0")) {
      for (const mine of ownNodes) {
        internet = true;
        edge("internet", mine, ports(rule));
      }
    }
  }

  // Secrets: task -> the node holding them for their component (its store), or that component's secrets node.
  const extra: DiagramNode[] = [];
  const holderOf = (component: string): string => {
    const own = [...componentOfNode].filter(([, c]) => c === component).map(([n]) => n);
    const best = SECRET_HOLDERS.map((k) => own.find((n) => n.kind === k)).find(Boolean);
    if (best) return best.id;
    const id = `${mermaidId(component)}_secrets`;
    if (!extra.some((n) => n.id === id))
      extra.push({ id, label: `secrets: ${component.split(" ").slice(1).join(" ")}`, part: partOf(component), kind: "secrets" });
    return id;
  };
  const secretsByName = new Map(plan.resources.filter((r) => r.type === SECRET).map((r) => [r.name, r]));
  for (const td of plan.resources.filter((r) => r.type === TASK_DEF)) {
    const defs = JSON.parse(typeof td.inputs.containerDefinitions === "string" ? td.inputs.containerDefinitions : "[]") as {
      secrets?: { valueFrom: string }[];
    }[];
    const holders = new Set<string>();
    for (const s of defs.flatMap((d) => d.secrets ?? [])) {
      // arn:aws:secretsmanager:<region>:<account>:<name>[:jsonKey::], or RDS's own `secret:rds!<instance>`.
      const f = s.valueFrom.split(":");
      const name = f[5] === "secret" ? (f[6] ?? "").replace(/^rds!/, "") : (f[5] ?? "");
      const secret = secretsByName.get(name) ?? plan.resources.find((r) => r.type === "aws:rds/instance:Instance" && r.name === name);
      if (secret) holders.add(holderOf(componentOf(plan, secret)));
    }
    if (holders.size) for (const client of clientsOf(td)) for (const h of holders) edge(client.id, h);
  }

  const nodes = [...new Map([...nodeOf.values(), ...extra].map((n) => [n.id, n])).values()];
  if (internet) nodes.push({ id: "internet", label: "Internet", part: "", kind: "internet" });
  // Components with nothing drawn: one line per part, naming them, with how much they hold.
  const quiet = new Map<string, { names: string[]; count: number }>();
  for (const c of plan.resources.filter((r) => r.type.startsWith("chatbot:"))) {
    const component = componentOf(plan, c);
    const held = plan.resources.filter((r) => !r.type.startsWith("chatbot:") && !r.type.startsWith("pulumi:") && componentOf(plan, r) === component);
    if (held.some((r) => nodeOf.has(r.urn)) || extra.some((n) => n.id === `${mermaidId(component)}_secrets`)) continue;
    const q = quiet.get(partOf(component)) ?? { names: [], count: 0 };
    q.names.push(component.split(" ")[0].split(":")[1]);
    q.count += held.length;
    quiet.set(partOf(component), q);
  }
  for (const [part, q] of quiet)
    nodes.push({ id: `${part}_other`, label: `${[...new Set(q.names)].sort().join(", ")}: ${plural(q.count, "resource")}`, part, kind: "other" });
  const parts = [...new Set(nodes.map((n) => n.part))].filter(Boolean).sort();
  return {
    parts,
    nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...edges.values()]
      .map((e) => ({ from: e.from, to: e.to, ports: [...e.ports].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })), secrets: e.secrets }))
      .sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`)),
  };
}

/** Mermaid `flowchart LR`: parts as subgraphs; network paths solid, secrets-only paths dashed. */
export function mermaid(plan: Plan): string {
  const d = architecture(plan);
  const lines = ["flowchart LR"];
  for (const n of d.nodes.filter((x) => !x.part)) lines.push(`  ${n.id}((${label(n.label)}))`);
  for (const p of d.parts) {
    lines.push(`  subgraph ${mermaidId(p)}_part[${label(p)}]`);
    for (const n of d.nodes.filter((x) => x.part === p)) lines.push(`    ${n.id}[${label(n.label)}]`);
    lines.push("  end");
  }
  for (const e of d.edges) {
    const text = [...e.ports, ...(e.secrets ? ["secrets"] : [])].join(", ");
    lines.push(`  ${e.from} ${e.ports.length ? "-->" : "-.->"}|${label(text)}| ${e.to}`);
  }
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
    if ((m = t.match(/^subgraph (\w+)\["[^"]*"\]$/))) {
      depth++;
      ids.add(m[1]);
    } else if (t === "end") {
      if (--depth < 0) problems.push("`end` without subgraph");
    } else if ((m = t.match(/^(\w+)(\["[^"]*"\]|\(\("[^"]*"\)\))$/))) ids.add(m[1]);
    else if ((m = t.match(/^(\w+) (-->|-\.->)\|"[^"]*"\| (\w+)$/))) {
      for (const id of [m[1], m[3]]) if (!ids.has(id)) problems.push(`edge to undeclared ${id}`);
    } else problems.push(`unparsed line: ${t}`);
  }
  if (depth !== 0) problems.push("unbalanced subgraph");
  return problems;
}
