/**
 * Which tier's rules apply to a stack. The stack says it itself: `chatbot:tier` in its
 * Pulumi.<stack>.yaml, next to this pack in the repository (the stack name is in every URN), so
 * no one picks a config file by hand and pairing prod with staging's file cannot weaken prod.
 * Policy config `tier` (a Pulumi Cloud policy group, or --policy-pack-config) serves a published
 * pack, which has no stack files beside it. When both are known the stricter wins; when
 * neither is, production, the strictest.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isTier, TIERS, type Tier } from "./rules";

export const DEFAULT_TIER: Tier = "production";

/** The project's directory: the pack lives in its `policy/` folder. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** `urn:pulumi:<stack>::<project>::...` -> stack and project. */
export function stackOfUrn(urn: string): { stack: string; project: string } | undefined {
  const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
  return m ? { stack: m[1], project: m[2] } : undefined;
}

const cache = new Map<string, Tier | undefined>();

/** The tier the stack's own config names, if its stack file is here and names a valid one. */
export function stackTier(urn: string, dir = PROJECT_DIR): Tier | undefined {
  const id = stackOfUrn(urn);
  if (!id) return undefined;
  const file = path.join(dir, `Pulumi.${id.stack}.yaml`);
  if (!cache.has(file)) {
    let tier: Tier | undefined;
    try {
      const value = YAML.parse(fs.readFileSync(file, "utf8"))?.config?.[`${id.project}:tier`];
      tier = isTier(value) ? value : undefined;
    } catch {
      tier = undefined; // no stack file (a published pack) or unreadable: policy config decides
    }
    cache.set(file, tier);
  }
  return cache.get(file);
}

/** The stricter of two tiers (production > staging > preview); either may be unknown. */
export function stricter(a: Tier | undefined, b: Tier | undefined): Tier {
  const rank = (t: Tier | undefined) => (t === undefined ? TIERS.length : TIERS.indexOf(t));
  const best = Math.min(rank(a), rank(b));
  return best < TIERS.length ? TIERS[best] : DEFAULT_TIER;
}

/** The tier for a resource or stack policy: its stack's config and the policy config together. */
export function resolveTier(urn: string | undefined, configured: unknown, dir = PROJECT_DIR): Tier {
  return stricter(urn ? stackTier(urn, dir) : undefined, isTier(configured) ? configured : undefined);
}
