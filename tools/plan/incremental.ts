/**
 * A StackRenderer for `plan diff` that renders each stack in full once, then renders the same stack
 * with other config (one flipped key) incrementally: only the top-level components whose resolved
 * arguments differ from the full render are constructed; the others are replayed from it
 * (tools/plan/componentMemo.ts). The result is the plan a full render would give, resource for
 * resource (test/plan-incremental.test.ts checks that against full renders).
 *
 * Which components must be constructed is found by fixpoint: render with every component replayed,
 * compare each one's arguments with the base render's, construct those that differ, and repeat
 * until no replayed component's arguments differ (a constructed component may hand its dependents
 * different outputs, e.g. a third subnet).
 */
import { render } from "./harness";
import { canonical, ComponentCall, loadTracedProgram, MemoSession } from "./componentMemo";
import { localStackReferences, RenderedStack, sharedInfraReference } from "./render";
import { LoadedStackConfig, loadStackConfig } from "./stackConfig";
import type { StackRenderer } from "./diff";
import { Plan, PlanResource } from "./types";

interface Base {
  plan: Plan;
  instances: Map<string, object>;
  canon: Map<string, string>;
  /** Resource URN -> key of the top-level component it belongs to (absent: a top-level resource). */
  owner: Map<string, string>;
}

export interface IncrementalStats {
  fullRenders: number;
  /** Renders of a flipped config, each constructing only some components. */
  partialRenders: number;
  /** Components constructed, summed over partial renders (the rest were replayed). */
  constructed: number;
  replayed: number;
}

async function renderTraced(config: LoadedStackConfig, s: MemoSession): Promise<Plan> {
  const lender = await sharedInfraReference(config);
  return render({
    project: config.project,
    stack: config.stack,
    config: config.config,
    secretKeys: config.secretKeys,
    load: () => loadTracedProgram(s),
    stackReferences: { ...localStackReferences(config), ...lender.outputs },
    stackReferenceSecrets: lender.secrets,
  });
}

async function canonicalCalls(calls: ComponentCall[], plan: Plan): Promise<Map<string, string>> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const providerInputs = (urn: string) => byUrn.get(urn)?.inputs;
  const out = new Map<string, string>();
  for (const c of calls) {
    if (out.has(c.key)) throw new Error(`plan diff: two top-level components share the key ${c.key}`);
    out.set(c.key, await canonical({ args: c.args, opts: c.opts }, providerInputs));
  }
  return out;
}

async function ownersOf(calls: ComponentCall[], plan: Plan): Promise<Map<string, string>> {
  const byUrn = new Map<string, string>();
  for (const c of calls) byUrn.set(await (c.instance as { urn: { promise(): Promise<string> } }).urn.promise(), c.key);
  const parent = new Map(plan.resources.map((r) => [r.urn, r.parent]));
  const owner = new Map<string, string>();
  for (const r of plan.resources) {
    for (let u: string | null | undefined = r.urn; u; u = parent.get(u)) {
      const key = byUrn.get(u);
      if (key) {
        owner.set(r.urn, key);
        break;
      }
    }
  }
  return owner;
}

/** The plan of the flipped config: replayed components' resources from the base, the rest from this render. */
function assemble(base: Base, plan: Plan, calls: ComponentCall[]): Plan {
  const replayed = new Set(calls.filter((c) => c.replayed).map((c) => c.key));
  const kept = base.plan.resources.filter((r) => replayed.has(base.owner.get(r.urn) ?? ""));
  const resources: PlanResource[] = [...kept, ...plan.resources].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
  return { ...plan, resources };
}

export function incrementalRenderer(): StackRenderer & { stats: IncrementalStats } {
  const bases = new Map<string, Base>();
  const stats: IncrementalStats = { fullRenders: 0, partialRenders: 0, constructed: 0, replayed: 0 };

  const full = async (config: LoadedStackConfig): Promise<RenderedStack> => {
    const s: MemoSession = { calls: [] };
    const plan = await renderTraced(config, s);
    stats.fullRenders++;
    bases.set(config.stack, {
      plan,
      instances: new Map(s.calls.map((c) => [c.key, c.instance])),
      canon: await canonicalCalls(s.calls, plan),
      owner: await ownersOf(s.calls, plan),
    });
    return { plan, config };
  };

  const partial = async (config: LoadedStackConfig, base: Base): Promise<RenderedStack> => {
    const construct = new Set<string>();
    for (;;) {
      const s: MemoSession = { calls: [], replay: base.instances, construct };
      const plan = await renderTraced(config, s);
      stats.partialRenders++;
      const canon = await canonicalCalls(s.calls, plan);
      const differing = s.calls.filter((c) => c.replayed && canon.get(c.key) !== base.canon.get(c.key)).map((c) => c.key);
      if (differing.length === 0) {
        stats.constructed += s.calls.filter((c) => !c.replayed).length;
        stats.replayed += s.calls.filter((c) => c.replayed).length;
        return { plan: assemble(base, plan, s.calls), config };
      }
      for (const key of differing) construct.add(key);
    }
  };

  const renderer = async ({ stack, configFile }: { stack: string; configFile?: string }): Promise<RenderedStack> => {
    const config = loadStackConfig(stack, { configFile });
    const base = bases.get(stack);
    return base && configFile ? partial(config, base) : full(config);
  };
  return Object.assign(renderer, { stats });
}
