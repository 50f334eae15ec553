import { LoadedStackConfig } from "./stackConfig";
import { Plan, PlanResource } from "./types";

/** The component a resource belongs to: its nearest `chatbot:*` ancestor, else "(stack)". */
// componentOf runs once per resource (and per edge in the diagram): index each plan only once.
const indexes = new WeakMap<Plan, Map<string, PlanResource>>();
function byUrnOf(plan: Plan): Map<string, PlanResource> {
  let index = indexes.get(plan);
  if (!index) indexes.set(plan, (index = new Map(plan.resources.map((x) => [x.urn, x]))));
  return index;
}

export function componentOf(plan: Plan, r: PlanResource): string {
  const byUrn = byUrnOf(plan);
  let cur: PlanResource | undefined = r;
  while (cur) {
    if (cur.type.startsWith("chatbot:")) return `${cur.type.split(":").slice(1).join(":")} ${cur.name}`;
    cur = cur.parent ? byUrn.get(cur.parent) : undefined;
  }
  return "(stack)";
}

export function groupByComponent(plan: Plan): Map<string, PlanResource[]> {
  const groups = new Map<string, PlanResource[]>();
  for (const r of plan.resources) {
    if (r.type === "pulumi:pulumi:Stack" || r.type.startsWith("chatbot:")) continue;
    const c = componentOf(plan, r);
    groups.set(c, [...(groups.get(c) ?? []), r]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function countTypes(resources: PlanResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The terminal summary of `npm run plan -- <stack>`. */
export function summary(plan: Plan, cfg: LoadedStackConfig): string {
  const lines = [`Plan of ${plan.project}/${plan.stack}: ${plan.resources.length} resources (offline, runtime mocks; nothing was deployed)`, ""];
  for (const [component, resources] of groupByComponent(plan)) {
    lines.push(`${component} (${resources.length})`);
    for (const [type, n] of countTypes(resources)) lines.push(`  ${String(n).padStart(3)}  ${type}`);
  }
  const protectedCount = plan.resources.filter((r) => r.options.protect).length;
  lines.push("", `protected: ${protectedCount}   retainOnDelete: ${plan.resources.filter((r) => r.options.retainOnDelete).length}`);
  lines.push(`outputs: ${Object.keys(plan.outputs).join(", ")}`);
  lines.push(
    cfg.placeholders.length
      ? `secrets shown by placeholder (no value offline; pass --secrets FILE to use real ones): ${cfg.placeholders.join(", ")}`
      : "secrets: all supplied by --secrets",
  );
  if (cfg.environments?.length) {
    lines.push(
      `ESC environments (offline copies, tools/plan/esc.ts): ${cfg.environments.join(", ")}` +
        (cfg.fromEnvironment.length ? `; values from them: ${cfg.fromEnvironment.map((k) => k.replace(/^[^:]+:/, "")).join(", ")}` : ""),
    );
  }
  return lines.join("\n");
}
