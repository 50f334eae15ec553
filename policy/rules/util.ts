/** Helpers shared by the rules. Nothing here knows which adapter (engine or offline plan) runs it. */
import type { ResourceView, StackResourceView } from "./types";

/** How the offline plan (and our messages) show a secret value. */
export const SECRET = "[secret]";
/**
 * How a value not known yet (during `pulumi preview`) reaches a stack rule: the policy adapter
 * replaces the engine's unknowns with this string, so one unknown id cannot abort a whole stack
 * rule. Rules treat it as "cannot tell yet" (no violation), never as a pass of a literal check.
 */
export const UNKNOWN = "[unknown]";

/**
 * Runs `fn`, returning undefined if it throws. During `pulumi preview` the engine hands policies a
 * proxy that throws `UnknownValueError` on values not known yet (e.g. the id of a bucket not yet
 * created). Resource-level checks let that throw: the SDK then reports "can't run during preview"
 * as advisory, which is its designed behaviour. Cross-resource *linking* must not fail on one
 * unknown id, so it reads reference values through `known`.
 */
export function known<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

export function asArray(v: unknown): any[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** A JSON document given either as a string (the usual Pulumi input) or as an object. */
export function parseJson(v: unknown): any {
  if (typeof v === "string") {
    try {
      return JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v ?? undefined;
}

export function isTrue(v: unknown): boolean {
  return v === true || v === "true";
}

export function label(r: { type: string; name: string }): string {
  return `${r.type} "${r.name}"`;
}

/**
 * Resolves which of `targets` a reference value points at, e.g. the `bucket` input of a
 * BucketPublicAccessBlock, the `resourceArn` of a WebAclAssociation, the `securityGroupId` of an
 * ingress rule. Two ways, in order:
 *
 * 1. By value: when the reference is a known string equal to one of the target's identity inputs
 *    (`idKeys`, e.g. `bucket` / `name` / `arn`) or to its logical resource name. This is what the
 *    offline plan usually offers: under mocks the linking input is the mocked id or name.
 * 2. By dependency: the reference came from the target's output, so the referrer depends on the
 *    target's URN. This is what the engine offers during preview, where the id is still unknown.
 *    Only an unambiguous dependency counts: if the referrer depends on several candidate targets,
 *    none is chosen (the rule then reports the target as unlinked, failing closed).
 */
export function resolveRef<T extends StackResourceView>(ref: unknown, referrer: StackResourceView, targets: T[], idKeys: string[]): T | undefined {
  if (typeof ref === "string" && ref !== "" && ref !== SECRET && ref !== UNKNOWN) {
    const byValue = targets.filter((t) => t.name === ref || idKeys.some((k) => known(() => t.inputs[k]) === ref));
    if (byValue.length === 1) return byValue[0];
  }
  const byDependency = targets.filter((t) => referrer.dependsOn.includes(t.urn));
  return byDependency.length === 1 ? byDependency[0] : undefined;
}

/** The referrers of `type` whose input `key` resolves to `target`. */
export function linked(
  resources: StackResourceView[],
  target: StackResourceView,
  targets: StackResourceView[],
  type: string,
  key: string,
  idKeys: string[],
): StackResourceView[] {
  return resources.filter(
    (r) =>
      r.type === type &&
      resolveRef(
        known(() => r.inputs[key]),
        r,
        targets,
        idKeys,
      ) === target,
  );
}

/** Statements of an IAM / resource policy document given as JSON string or object. */
export function statements(doc: unknown): any[] {
  const parsed = parseJson(doc);
  if (!parsed || typeof parsed !== "object") return [];
  return asArray(parsed.Statement);
}

/** Shorthand for rules that apply to a set of types. */
export function ofType(r: ResourceView, ...types: string[]): boolean {
  return types.includes(r.type);
}
