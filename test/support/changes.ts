import type { Plan, PlanResource } from "../../tools/plan/types";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const fingerprint = (r: PlanResource) => JSON.stringify({ inputs: r.inputs, options: r.options, parent: r.parent, provider: r.provider });

/**
 * URNs whose resources would change between two plans: added, removed, or with other inputs or
 * options. The mocked cloud gives a task definition the same ARN whatever its inputs; in AWS a
 * changed definition is a new revision with a new ARN, so what depends on it changes too.
 */
export function changedUrns(before: Plan, after: Plan): string[] {
  const a = new Map(before.resources.map((r) => [r.urn, r]));
  const b = new Map(after.resources.map((r) => [r.urn, r]));
  const changed = new Set<string>();
  for (const urn of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(urn);
    const y = b.get(urn);
    if (!x || !y || fingerprint(x) !== fingerprint(y)) changed.add(urn);
  }
  const replaced = [...changed].filter((urn) => (a.get(urn) ?? b.get(urn))!.type === TASK_DEFINITION);
  for (const r of after.resources) if (r.options.dependsOn.some((d) => replaced.includes(d))) changed.add(r.urn);
  return [...changed].sort();
}

/** `<type>::<name>` of each URN, as a reviewer reads it. */
export const shortNames = (urns: string[]) => urns.map((urn) => `${urn.split("::")[2].split("$").pop()}::${urn.split("::")[3]}`);
