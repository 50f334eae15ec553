/**
 * What differs between two stacks' plans, and which config key each difference comes from.
 *
 * The comparison is pure (comparePlans); attribution (attributeDiff) re-renders stack A with one
 * differing config key at a time set to B's value and records what that flip changes. A difference
 * no single flip explains is retried with keys flipped together (smallest set found greedily);
 * one that not even all keys together explain depends on something other than config (the stack
 * name, a secret) and is UNEXPLAINED.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { componentOf } from "./summary";
import { LoadedStackConfig, ROOT, stackFile } from "./stackConfig";
import { Plan, PlanResource } from "./types";

export const STACK_TOKEN = "<stack>";
/** The location of a resource's presence (as opposed to one of its inputs). */
export const PRESENCE = "(resource)";
const OUTPUTS = "(stack outputs)";

/** Replaces the stack name where it stands as a name segment (`chatbot-prod-api`, not `production`). */
export function normaliseStack<T>(value: T, stack: string): T {
  const re = new RegExp(`(?<![A-Za-z0-9])${stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g");
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

/** Leaf values by path (`tags.Name`, `containerDefinitions[0].cpu`); JSON strings are opened. */
export function flatten(value: unknown, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  const v = typeof value === "string" ? parseJsonLooking(value) : value;
  if (Array.isArray(v) && v.length > 0) {
    v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out));
  } else if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}${segment(k)}` : k, out);
  } else {
    out.set(prefix, v);
  }
  return out;
}

export interface Difference {
  /** URN with the stack name normalised to `<stack>`; "(stack outputs)" for outputs. */
  resource: string;
  type: string;
  name: string;
  component: string;
  /** Input path (`tags.Name`), `options.protect`, or "(resource)" when present in one stack only. */
  path: string;
  /** Normalised values; undefined where absent. For "(resource)": true if present. */
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

function index(plan: Plan): Indexed {
  return { plan, byKey: new Map(plan.resources.map((r) => [normaliseStack(r.urn, plan.stack), r])) };
}

function leaves(r: PlanResource, stack: string): Map<string, unknown> {
  const out = flatten(normaliseStack(r.inputs, stack));
  out.set("options.protect", r.options.protect);
  out.set("options.retainOnDelete", r.options.retainOnDelete);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffLeaves(base: Omit<Difference, "path" | "a" | "b">, la: Map<string, unknown>, lb: Map<string, unknown>): Difference[] {
  const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
  return paths.filter((p) => !same(la.get(p), lb.get(p))).map((p) => ({ ...base, path: p, a: la.get(p), b: lb.get(p) }));
}

/**
 * Every difference between two plans, with each plan's stack name normalised. Dependencies
 * (options.dependsOn) are left out: they follow from the inputs that do differ.
 */
export function comparePlans(a: Plan, b: Plan): Difference[] {
  const ia = index(a);
  const ib = index(b);
  const out: Difference[] = [];
  for (const key of [...new Set([...ia.byKey.keys(), ...ib.byKey.keys()])].sort()) {
    const ra = ia.byKey.get(key);
    const rb = ib.byKey.get(key);
    const r = (ra ?? rb)!;
    const base = { resource: key, type: r.type, name: r.name, component: componentOf(ra ? a : b, r) };
    if (!ra || !rb) out.push({ ...base, path: PRESENCE, a: !!ra, b: !!rb });
    else out.push(...diffLeaves(base, leaves(ra, a.stack), leaves(rb, b.stack)));
  }
  const outputs = { resource: OUTPUTS, type: "outputs", name: "outputs", component: "(stack)" };
  out.push(...diffLeaves(outputs, flatten(normaliseStack(a.outputs, a.stack)), flatten(normaliseStack(b.outputs, b.stack))));
  return out;
}

export interface ConfigDifference {
  /** Key without the project namespace (`dbMultiAz`). */
  key: string;
  a: string | undefined;
  b: string | undefined;
}

/** Non-secret keys whose values differ (stack name normalised); secrets are compared by nobody offline. */
export function configDifferences(a: LoadedStackConfig, b: LoadedStackConfig): ConfigDifference[] {
  const secret = new Set([...a.secretKeys, ...b.secretKeys]);
  const keys = [...new Set([...Object.keys(a.config), ...Object.keys(b.config)])].filter((k) => !secret.has(k)).sort();
  return keys
    .filter((k) => normaliseStack(a.config[k], a.stack) !== normaliseStack(b.config[k], b.stack))
    .map((k) => ({ key: k.slice(a.project.length + 1), a: a.config[k], b: b.config[k] }));
}

export interface AttributedDifference extends Difference {
  /** Config keys explaining it: each one alone, or (combination) all of them together. */
  keys: string[];
  combination: boolean;
  unexplained: boolean;
}

export interface StackDiff {
  project: string;
  stackA: string;
  stackB: string;
  config: ConfigDifference[];
  /** Secret keys left out: offline their values are placeholders (or supplied), shown as "[secret]". */
  secretKeys: string[];
  differences: AttributedDifference[];
  /** Flips that could not be rendered on their own (e.g. a cross-key rule rejects them). */
  failedFlips: { keys: string[]; error: string }[];
  renders: number;
  unexplained: number;
}

/**
 * Pure attribution: given the A-vs-B differences and, per flipped key set, the locations that flip
 * changed, say which keys explain each difference.
 */
export function attribute(differences: Difference[], singles: Map<string, Set<string>>, combos: { keys: string[]; locations: Set<string> }[] = []): AttributedDifference[] {
  return differences.map((d) => {
    const loc = locationOf(d);
    const keys = [...singles.entries()].filter(([, locs]) => locs.has(loc)).map(([k]) => k).sort();
    if (keys.length) return { ...d, keys, combination: false, unexplained: false };
    const combo = combos.filter((c) => c.locations.has(loc)).sort((x, y) => x.keys.length - y.keys.length)[0];
    if (combo) return { ...d, keys: [...combo.keys].sort(), combination: true, unexplained: false };
    return { ...d, keys: [], combination: false, unexplained: true };
  });
}

/** Renders a stack, optionally from another stack file: renderStack for the CLI, planFor in tests. */
export type StackRenderer = (opts: { stack: string; configFile?: string }) => Promise<{ plan: Plan; config: LoadedStackConfig }>;

export interface DiffOptions {
  /** Attribute only these keys (others are still listed as config differences); default: all. */
  keys?: string[];
  log?: (line: string) => void;
}

function rawConfigValue(stack: string, project: string, key: string): { present: boolean; value?: unknown } {
  const full = `${project}:${key}`;
  const stackCfg = (YAML.parse(fs.readFileSync(stackFile(stack), "utf8")) ?? {}).config ?? {};
  if (full in stackCfg) return { present: true, value: stackCfg[full] };
  const decl = ((YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) ?? {}).config ?? {})[key];
  return decl && typeof decl === "object" && "default" in decl ? { present: true, value: decl.default } : { present: false };
}

/** Writes stack A's file with the given keys set to stack B's values; returns its path. */
export function flippedStackFile(dir: string, stackA: string, stackB: string, project: string, keys: string[]): string {
  const doc = YAML.parseDocument(fs.readFileSync(stackFile(stackA), "utf8"));
  for (const key of keys) {
    const v = rawConfigValue(stackB, project, key);
    if (v.present) doc.setIn(["config", `${project}:${key}`], v.value);
    else doc.deleteIn(["config", `${project}:${key}`]);
  }
  const file = path.join(dir, `Pulumi.${stackA}.${keys.length === 1 ? keys[0] : `${keys.length}-keys`}.yaml`);
  fs.writeFileSync(file, doc.toString());
  return file;
}

/** Renders both stacks and attributes every difference to the config keys it comes from. */
export async function diffStacks(stackA: string, stackB: string, render: StackRenderer, opts: DiffOptions = {}): Promise<StackDiff> {
  const log = opts.log ?? (() => undefined);
  let renders = 0;
  const A = await render({ stack: stackA });
  const B = await render({ stack: stackB });
  renders += 2;
  const config = configDifferences(A.config, B.config);
  const differences = comparePlans(A.plan, B.plan);
  const flippable = config.map((c) => c.key).filter((k) => !opts.keys || opts.keys.includes(k));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
  const failedFlips: StackDiff["failedFlips"] = [];
  const cache = new Map<string, Set<string> | null>();

  const flip = async (keys: string[]): Promise<Set<string> | null> => {
    const id = [...keys].sort().join(",");
    if (!cache.has(id)) {
      try {
        const configFile = flippedStackFile(dir, stackA, stackB, A.config.project, keys);
        const flipped = await render({ stack: stackA, configFile });
        renders++;
        cache.set(id, new Set(comparePlans(A.plan, flipped.plan).map(locationOf)));
      } catch (e) {
        renders++;
        failedFlips.push({ keys: [...keys].sort(), error: e instanceof Error ? e.message.split("\n")[0] : String(e) });
        cache.set(id, null);
      }
    }
    return cache.get(id)!;
  };

  try {
    const singles = new Map<string, Set<string>>();
    for (const key of flippable) {
      log(`flip ${key}`);
      const locs = await flip([key]);
      if (locs) singles.set(key, locs);
    }
    let attributed = attribute(differences, singles);
    const combos = await combinations(attributed.filter((d) => d.unexplained), flippable, singles, flip, log);
    attributed = attribute(differences, singles, combos);
    return {
      project: A.config.project, stackA, stackB, config,
      secretKeys: [...new Set([...A.config.secretKeys, ...B.config.secretKeys])].map((k) => k.slice(A.config.project.length + 1)).sort(),
      differences: attributed, failedFlips, renders, unexplained: attributed.filter((d) => d.unexplained).length,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * For differences no single key explains: flip every key at once (dropping keys that cannot be
 * flipped), and if that reproduces one, shrink the set greedily to the keys it needs, trying
 * first the keys whose single flips touched the same component.
 */
async function combinations(
  remaining: Difference[], keys: string[], singles: Map<string, Set<string>>,
  flip: (keys: string[]) => Promise<Set<string> | null>, log: (line: string) => void,
): Promise<{ keys: string[]; locations: Set<string> }[]> {
  if (!remaining.length || keys.length < 2) return [];
  let all = keys;
  log(`flip all ${all.length} keys together`);
  let allLocs = await flip(all);
  if (!allLocs) {
    all = keys.filter((k) => singles.has(k));
    allLocs = all.length > 1 ? await flip(all) : null;
  }
  if (!allLocs) return [];
  const out: { keys: string[]; locations: Set<string> }[] = [];
  for (const d of remaining) {
    const loc = locationOf(d);
    if (!allLocs.has(loc) || out.some((c) => c.locations.has(loc))) continue;
    const touching = all.filter((k) => [...singles.get(k) ?? []].some((l) => l.startsWith(`${d.resource}#`) || sameComponent(l, d)));
    let set = touching.length > 1 && (await flip(touching))?.has(loc) ? touching : all;
    for (const k of [...set]) {
      if (set.length <= 2) break;
      const without = set.filter((x) => x !== k);
      if ((await flip(without))?.has(loc)) set = without;
    }
    log(`combination for ${d.name} ${d.path}: ${set.join(" + ")}`);
    out.push({ keys: set, locations: (await flip(set))! });
  }
  return out;
}

/** Two locations in the same component, judged by the component token in the URN's type chain. */
function sameComponent(location: string, d: Difference): boolean {
  const chain = (urn: string) => (urn.split("::")[2] ?? "").split("$")[0];
  return chain(location) === chain(d.resource) && chain(d.resource).startsWith("chatbot:");
}
