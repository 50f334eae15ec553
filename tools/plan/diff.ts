/**
 * What differs between two stacks' plans, and which config key each difference comes from.
 *
 * The comparison is pure (comparePlans); attribution (diffStacks) renders stack A with one differing
 * key at a time set to B's value (the CLI incrementally: tools/plan/incremental.ts) and records what
 * that flip changes. A difference no single flip explains is retried with keys flipped together
 * (smallest set found greedily); one not even all keys together explain is UNEXPLAINED.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { flippedStackFile } from "./flippedConfig";
import { combinations, partnersOf } from "./keyCombinations";
import { componentOf } from "./summary";
import { LoadedStackConfig } from "./stackConfig";
import { Plan, PlanResource } from "./types";
export { flippedStackFile, swapStackNames } from "./flippedConfig";
export { partnersOf } from "./keyCombinations";
export { showPair } from "./showPair";

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
        return diffValues(ka === undefined ? undefined : va[ka], kb === undefined ? undefined : vb[kb], stacks, prefix ? `${prefix}${seg}` : seg.replace(/^\./, ""));
      });
    }
  }
  return same(normaliseStack(va, stacks), normaliseStack(vb, stacks)) ? [] : [{ path: prefix, a: va, b: vb }];
}

function diffResource(base: Omit<Difference, "path" | "a" | "b">, ra: PlanResource, rb: PlanResource, stacks: string[]): Difference[] {
  const opts = (r: PlanResource) => ({ protect: r.options.protect, retainOnDelete: r.options.retainOnDelete });
  // Equal records have no differences; checked first because most resources of a flip are equal.
  if (ra === rb || (same(ra.inputs, rb.inputs) && same(opts(ra), opts(rb)))) return [];
  return [
    ...diffValues(ra.inputs, rb.inputs, stacks),
    ...diffValues(opts(ra), opts(rb), stacks, "options"),
  ].map((d) => ({ ...base, ...d }));
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
  /** Not explained by config: it changes with the stack name (or a secret), not only with config. */
  unexplained: boolean;
}

export interface StackDiff {
  project: string;
  stackA: string;
  stackB: string;
  config: ConfigDifference[];
  /** Keys attributed one by one (all of config's keys unless --keys narrowed them). */
  attributedKeys: string[];
  /** Secret keys left out: offline their values are placeholders (or supplied), shown as "[secret]". */
  secretKeys: string[];
  differences: AttributedDifference[];
  /**
   * What still differs when stack A is rendered with all of B's config: differences that come from
   * the stack name itself. null when that render failed (see failedFlips).
   */
  residual: Difference[] | null;
  /** Flips that could not be rendered (e.g. a cross-key rule rejects a key alone). */
  failedFlips: { keys: string[]; error: string }[];
  renders: number;
  unexplained: number;
}

export type KeyEffects = { keys: string[]; locations: Set<string> };

/**
 * Pure attribution: given the A-vs-B differences and, per flipped key set, the locations that flip
 * changed, say which keys explain each difference. `residual` (locations still differing with all
 * of B's config) marks a difference unexplained whatever the flips say; without it, a difference
 * no flip reproduces is unexplained. With `partial` (only some keys were flipped), a difference
 * outside the residual that no flip reproduces counts as explained, by keys not attributed.
 */
export function attribute(differences: Difference[], singles: Map<string, Set<string>>, combos: KeyEffects[] = [], residual?: Set<string> | null, partial = false): AttributedDifference[] {
  return differences.map((d) => {
    const loc = locationOf(d);
    const inResidual = !!residual?.has(loc);
    const keys = [...singles.entries()].filter(([, locs]) => locs.has(loc)).map(([k]) => k).sort();
    if (keys.length) return { ...d, keys, combination: false, unexplained: inResidual };
    const combo = combos.filter((c) => c.locations.has(loc)).sort((x, y) => x.keys.length - y.keys.length)[0];
    if (combo) return { ...d, keys: [...combo.keys].sort(), combination: true, unexplained: inResidual };
    return { ...d, keys: [], combination: false, unexplained: inResidual || !residual || !partial };
  });
}

/** Renders a stack, optionally from another stack file: renderStack for the CLI, planFor in tests. */
export type StackRenderer = (opts: { stack: string; configFile?: string }) => Promise<{ plan: Plan; config: LoadedStackConfig }>;

export interface DiffOptions {
  /** Attribute only these keys (others are still listed as config differences); default: all. */
  keys?: string[];
  log?: (line: string) => void;
}

/** Renders both stacks and attributes every difference to the config keys it comes from. */
export async function diffStacks(stackA: string, stackB: string, render: StackRenderer, opts: DiffOptions = {}): Promise<StackDiff> {
  const log = opts.log ?? (() => undefined);
  const A = await render({ stack: stackA });
  const B = await render({ stack: stackB });
  const config = configDifferences(A.config, B.config);
  const differences = comparePlans(A.plan, B.plan);
  const flippable = config.map((c) => c.key).filter((k) => !opts.keys || opts.keys.includes(k));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
  const failedFlips: StackDiff["failedFlips"] = [];
  const cache = new Map<string, Set<string> | null>();
  const errors = new Map<string, unknown>();
  let renders = 2;

  const renderFlipped = async (keys: string[]): Promise<Plan | null> => {
    try {
      renders++;
      return (await render({ stack: stackA, configFile: flippedStackFile(dir, stackA, stackB, A.config.project, keys) })).plan;
    } catch (e) {
      failedFlips.push({ keys: [...keys].sort(), error: e instanceof Error ? e.message.split("\n").slice(0, 3).join(" ").replace(/\s+/g, " ") : String(e) });
      errors.set([...keys].sort().join(","), e);
      return null;
    }
  };
  const flip = async (keys: string[]): Promise<Set<string> | null> => {
    const id = [...keys].sort().join(",");
    if (!cache.has(id)) {
      const plan = await renderFlipped(keys);
      // A flip swaps stack names (flippedConfig.ts): A's render may name B, as B's names A.
      cache.set(id, plan && new Set(comparePlans(A.plan, plan, [stackB]).map(locationOf)));
    }
    return cache.get(id)!;
  };

  try {
    const everyKey = config.map((c) => c.key);
    log(`render ${stackA} with all ${everyKey.length} of ${stackB}'s differing keys`);
    let all = await renderFlipped(everyKey);
    let allKeys = everyKey;
    if (!all) {
      // e.g. compareSecretsWithStack naming stack A itself: leave out the keys the error names.
      const named = partnersOf(errors.get(everyKey.join(",")), everyKey);
      allKeys = everyKey.filter((k) => !named.includes(k));
      all = named.length ? await renderFlipped(allKeys) : null;
    }
    if (all) cache.set([...allKeys].sort().join(","), new Set(comparePlans(A.plan, all).map(locationOf)));
    const residual = all && allKeys.length === everyKey.length ? comparePlans(all, B.plan) : null;
    const residualLocs = residual && new Set(residual.map(locationOf));

    const singles = new Map<string, Set<string>>();
    for (const key of flippable) {
      log(`flip ${key}`);
      const locs = await flip([key]);
      if (locs) singles.set(key, locs);
    }
    // A key a cross-key rule rejects alone (apiCpu without apiMemory) is flipped with the keys its error names.
    const combos: KeyEffects[] = [];
    for (const key of flippable.filter((k) => !singles.has(k))) {
      const partners = partnersOf(errors.get(key), flippable).filter((k) => k !== key);
      if (!partners.length) continue;
      log(`flip ${key} with ${partners.join(", ")}`);
      const locs = await flip([key, ...partners]);
      if (locs) combos.push({ keys: [key, ...partners], locations: locs });
    }
    const partial = flippable.length < everyKey.length;
    const unattributed = attribute(differences, singles, combos).filter((d) => d.keys.length === 0 && !residualLocs?.has(locationOf(d)));
    combos.push(...(await combinations(unattributed, flippable, singles, flip, log)));
    const attributed = attribute(differences, singles, combos, residualLocs, partial);
    return {
      project: A.config.project, stackA, stackB, config, attributedKeys: flippable,
      secretKeys: [...new Set([...A.config.secretKeys, ...B.config.secretKeys])].map((k) => k.slice(A.config.project.length + 1)).sort(),
      differences: attributed, residual, failedFlips, renders, unexplained: attributed.filter((d) => d.unexplained).length,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
