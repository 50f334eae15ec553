/**
 * Renders one component alone in an empty stack, under runtime mocks, through the plan's harness
 * (like CDK's Template.fromStack for one construct): no config, no other part, no provider but
 * the default one. Each call resets jest's module registry, so the component and @pulumi/pulumi
 * load fresh: `build` must require the component module itself (and @pulumi/pulumi, for an Output
 * argument), after the mocks are set.
 */
import * as path from "path";
import type { Plan, PlanResource } from "../../tools/plan/types";

const ROOT = path.resolve(__dirname, "../..");

/** Requires a module of the repository by its path from the root, e.g. `components/data/cache`. */
export const load = <T = any>(modulePath: string): T => require(path.join(ROOT, modulePath)) as T;

export async function renderComponent(build: () => void, stack = "test"): Promise<Plan> {
  jest.resetModules();
  const { render } = require(path.join(ROOT, "tools/plan/harness")) as typeof import("../../tools/plan/harness");
  return render({ project: "chatbot", stack, config: {}, secretKeys: [], load: () => (build(), {}) });
}

/** How many resources of each type the component declared (itself and its children; not the stack). */
export function typeCounts(plan: Plan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of plan.resources) if (r.type !== "pulumi:pulumi:Stack") counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** The resources whose parent is the resource named `name` (of any type). */
export function childrenOf(plan: Plan, name: string): PlanResource[] {
  const parent = plan.resources.find((r) => r.name === name && !r.type.includes("/"));
  return parent ? plan.resources.filter((r) => r.parent === parent.urn) : [];
}
