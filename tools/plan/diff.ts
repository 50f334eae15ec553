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
import { LoadedStackConfig } from "./stackConfig";
import { comparePlans, Difference, locationOf, normaliseStack } from "./comparePlans";
import { Plan } from "./types";
export { flippedStackFile, swapStackNames } from "./flippedConfig";
export { partnersOf } from "./keyCombinations";
export { showPair } from "./showPair";
export { comparePlans, diffValues, locationOf, normaliseStack, PRESENCE, STACK_TOKEN } from "./comparePlans";
export type { Difference } from "./comparePlans";

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
export function attribute(
  differences: Difference[],
  singles: Map<string, Set<string>>,
  combos: KeyEffects[] = [],
  residual?: Set<string> | null,
  partial = false,
): AttributedDifference[] {
  return differences.map((d) => {
    const loc = locationOf(d);
    const inResidual = !!residual?.has(loc);
    const keys = [...singles.entries()]
      .filter(([, locs]) => locs.has(loc))
      .map(([k]) => k)
      .sort();
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
      project: A.config.project,
      stackA,
      stackB,
      config,
      attributedKeys: flippable,
      secretKeys: [...new Set([...A.config.secretKeys, ...B.config.secretKeys])].map((k) => k.slice(A.config.project.length + 1)).sort(),
      differences: attributed,
      residual,
      failedFlips,
      renders,
      unexplained: attributed.filter((d) => d.unexplained).length,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
