/**
 * Deploy time of an offline plan (tools/plan/types.ts): the longest path through the dependency
 * graph weighted by typical create times (create-times.json).
 */
import type { Plan, PlanResource } from "../plan/types";
import createTimes from "./create-times.json";
import { isComponent } from "./chargeless";

export interface CreateTimeEntry {
  seconds: number;
  why?: string;
  source?: string;
  variants?: Array<{ input: string; equals: unknown; seconds: number; why?: string }>;
}
export interface CreateTimes {
  defaultSeconds: number;
  componentSeconds: number;
  types: Record<string, CreateTimeEntry>;
}
export interface TimeEstimate {
  seconds: number;
  criticalPath: string[];
}

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
    const consider = (u: string, t: number) => {
      if (t > best.t) best = { t, via: u };
    };
    if (r.parent && byUrn.has(r.parent)) consider(r.parent, reg(r.parent).t);
    if (r.provider && byUrn.has(r.provider)) consider(r.provider, reg(r.provider).t);
    for (const d of r.options.dependsOn) {
      if (!byUrn.has(d) || d === urn) continue;
      // Depending on an ancestor component waits for its registration only (the SDK excludes ancestors' children).
      if (anc.has(d)) consider(d, reg(d).t);
      else {
        const x = done(d);
        consider(x.via ?? d, x.t);
      }
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
    for (const c of children.get(urn) ?? []) {
      const d = done(c);
      if (d.t > best.t) best = { t: d.t, via: d.via };
    }
    doneMemo.set(urn, best);
    return best;
  };

  let end: T = { t: 0, via: null };
  for (const r of plan.resources) {
    const d = done(r.urn);
    if (d.t > end.t || end.via === null) end = { t: d.t, via: d.via };
  }
  const path: string[] = [];
  for (let u = end.via; u; u = regMemo.get(u)!.via) {
    if (path.includes(u)) break;
    path.push(u);
  }
  const critical = path.reverse().filter((u) => createSeconds(byUrn.get(u)!, times, plan.project) > 0);
  return { seconds: end.t, criticalPath: critical };
}
