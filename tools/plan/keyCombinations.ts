/** Finding the keys that explain a difference together when none does alone (plan diff). */
import { Difference, KeyEffects, locationOf } from "./diff";

/** Config keys named by a config error's issues (the key at fault and keys its problem mentions). */
export function partnersOf(error: unknown, keys: string[]): string[] {
  const issues = (error as { issues?: { key: string; problem: string }[] } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  const named = (k: string) => issues.some((i) => i.key === k || new RegExp(`\\b${k}\\b`).test(i.problem));
  return keys.filter(named);
}

/**
 * For differences no single key explains: flip every key at once (dropping keys that cannot be
 * flipped), and if that reproduces one, shrink the set greedily to the keys it needs, trying
 * first the keys whose single flips touched the same component.
 */
export async function combinations(
  remaining: Difference[],
  keys: string[],
  singles: Map<string, Set<string>>,
  flip: (keys: string[]) => Promise<Set<string> | null>,
  log: (line: string) => void,
): Promise<KeyEffects[]> {
  const flippable = keys.filter((k) => singles.has(k));
  if (flippable.length < 2) return [];
  const out: KeyEffects[] = [];
  for (const d of remaining) {
    const loc = locationOf(d);
    if (out.some((c) => c.locations.has(loc))) continue;
    const touching = flippable.filter((k) => [...singles.get(k)!].some((l) => l.startsWith(`${d.resource}#`) || sameComponent(l, d)));
    log(`search keys that together change ${d.name} ${d.path}`);
    let set: string[] = [];
    for (const candidate of [touching, flippable]) {
      if (candidate.length > 1 && (await flip(candidate))?.has(loc)) {
        set = candidate;
        break;
      }
    }
    if (!set.length) continue;
    for (const k of [...set]) {
      if (set.length <= 2) break;
      const without: string[] = set.filter((x) => x !== k);
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
