/**
 * The pure comparison of two plans: every resource present in one only and every input that
 * differs, with stack names normalised so that `chatbot-staging-api` and `chatbot-prod-api` match.
 * Attribution to config keys is tools/plan/diff.ts.
 */
import { componentOf } from "./summary";
import { Plan, PlanResource } from "./types";

export const STACK_TOKEN = "<stack>";
/** The location of a resource's presence (as opposed to one of its inputs). */
export const PRESENCE = "(resource)";
const OUTPUTS = "(stack outputs)";

/**
 * Replaces stack names where they stand as a name segment (`chatbot-prod-api`, not `production`).
 * Both stacks' names are normalised on both sides, so a text naming a stack literally (a usage
 * example in a script) is the same text in both plans.
 */
export function normaliseStack<T>(value: T, stacks: string | string[]): T {
  const names = (Array.isArray(stacks) ? stacks : [stacks]).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(?<![A-Za-z0-9])(?:${names.join("|")})(?![A-Za-z0-9])`, "g");
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return v.replace(re, STACK_TOKEN);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [walk(k) as string, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

function parseJsonLooking(v: string): unknown {
  if (!/^\s*[[{]/.test(v)) return v;
  try {
    const parsed = JSON.parse(v);
    return parsed && typeof parsed === "object" ? parsed : v;
  } catch {
    return v;
  }
}

function segment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export interface Difference {
  /** URN with the stack name normalised to `<stack>`; "(stack outputs)" for outputs. */
  resource: string;
  type: string;
  name: string;
  component: string;
  /** Input path (`tags.Name`), `options.protect`, or "(resource)" when present in one stack only. */
  path: string;
  /** Values as each plan has them (compared with the stack name normalised); undefined where absent. For "(resource)": true if present. */
  a: unknown;
  b: unknown;
}

export function locationOf(d: Pick<Difference, "resource" | "path">): string {
  return `${d.resource}#${d.path}`;
}

interface Indexed {
  byKey: Map<string, PlanResource>;
  plan: Plan;
}

function index(plan: Plan, stacks: string[]): Indexed {
  return { plan, byKey: new Map(plan.resources.map((r) => [normaliseStack(r.urn, stacks), r])) };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

/**
 * Structural diff of two values as each plan has them, compared with each stack's name normalised.
 * JSON strings are opened so the path is precise; a subtree present on one side only is one
 * difference (`metrics[2]: (absent) -> [...]`), not one per leaf.
 */
export function diffValues(a: unknown, b: unknown, stacks: string[], prefix = ""): { path: string; a: unknown; b: unknown }[] {
  const va = typeof a === "string" ? parseJsonLooking(a) : a;
  const vb = typeof b === "string" ? parseJsonLooking(b) : b;
  if (a !== undefined && b !== undefined) {
    if (Array.isArray(va) && Array.isArray(vb)) {
      return Array.from({ length: Math.max(va.length, vb.length) }, (_, i) => diffValues(va[i], vb[i], stacks, `${prefix}[${i}]`)).flat();
    }
    if (isObject(va) && isObject(vb)) {
      const keysA = new Map(Object.keys(va).map((k) => [normaliseStack(k, stacks), k]));
      const keysB = new Map(Object.keys(vb).map((k) => [normaliseStack(k, stacks), k]));
      return [...new Set([...keysA.keys(), ...keysB.keys()])].sort().flatMap((k) => {
        const ka = keysA.get(k);
        const kb = keysB.get(k);
        const seg = segment((ka ?? kb)!);
        return diffValues(
          ka === undefined ? undefined : va[ka],
          kb === undefined ? undefined : vb[kb],
          stacks,
          prefix ? `${prefix}${seg}` : seg.replace(/^\./, ""),
        );
      });
    }
  }
  return same(normaliseStack(va, stacks), normaliseStack(vb, stacks)) ? [] : [{ path: prefix, a: va, b: vb }];
}

function diffResource(base: Omit<Difference, "path" | "a" | "b">, ra: PlanResource, rb: PlanResource, stacks: string[]): Difference[] {
  const opts = (r: PlanResource) => ({ protect: r.options.protect, retainOnDelete: r.options.retainOnDelete });
  // Equal records have no differences; checked first because most resources of a flip are equal.
  if (ra === rb || (same(ra.inputs, rb.inputs) && same(opts(ra), opts(rb)))) return [];
  return [...diffValues(ra.inputs, rb.inputs, stacks), ...diffValues(opts(ra), opts(rb), stacks, "options")].map((d) => ({ ...base, ...d }));
}

/**
 * Every difference between two plans, with each plan's stack name normalised. Dependencies
 * (options.dependsOn) are left out: they follow from the inputs that do differ.
 */
/** `names`: the stack names to normalise, when the plans' own are not all (a flip names the other stack). */
export function comparePlans(a: Plan, b: Plan, names: string[] = []): Difference[] {
  const stacks = [...new Set([a.stack, b.stack, ...names])];
  const ia = index(a, stacks);
  const ib = index(b, stacks);
  const out: Difference[] = [];
  for (const key of [...new Set([...ia.byKey.keys(), ...ib.byKey.keys()])].sort()) {
    const ra = ia.byKey.get(key);
    const rb = ib.byKey.get(key);
    const r = (ra ?? rb)!;
    const base = { resource: key, type: r.type, name: r.name, component: componentOf(ra ? a : b, r) };
    if (!ra || !rb) out.push({ ...base, path: PRESENCE, a: !!ra, b: !!rb });
    else out.push(...diffResource(base, ra, rb, stacks));
  }
  const outputs = { resource: OUTPUTS, type: "outputs", name: "outputs", component: "(stack)" };
  out.push(...diffValues(a.outputs, b.outputs, stacks).map((d) => ({ ...outputs, ...d })));
  return out;
}
