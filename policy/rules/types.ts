/**
 * The neutral shape every rule is written against. Two adapters feed it:
 * - policy/policies.ts maps @pulumi/policy's ResourceValidationArgs / PolicyResource onto it
 *   (`pulumi preview --policy-pack policy`);
 * - tools/audit/audit.ts maps the offline plan (tools/plan/types.ts) onto it (`npm run audit`).
 * A rule never imports @pulumi/policy or the plan types, so one implementation serves both.
 */

export const TIERS = ["production", "staging", "preview"] as const;
/** Whether the stack is production-grade; from the plan output `tier` or the pack's policy config. */
export type Tier = (typeof TIERS)[number];

export function isTier(v: unknown): v is Tier {
  return typeof v === "string" && (TIERS as readonly string[]).includes(v);
}

/** What a resource rule sees of one resource. */
export interface ResourceView {
  type: string;
  name: string;
  urn: string;
  /** Inputs as declared (offline plan) or as the engine sent them. Secret values may be "[secret]". */
  inputs: Record<string, any>;
  /** Inputs of the resource's provider (for `defaultTags`), when known. */
  providerInputs?: Record<string, any>;
  stackTier: Tier;
}

/** What a stack rule sees of one resource: a ResourceView plus the URNs it depends on. */
export interface StackResourceView extends ResourceView {
  /** URNs this resource depends on (explicit dependsOn and input dependencies). */
  dependsOn: string[];
}

export interface Violation {
  message: string;
  /** The offending resource; absent when the stack as a whole is in violation. */
  urn?: string;
}

export type EnforcementLevel = "mandatory" | "advisory";

interface RuleBase {
  /** kebab-case, unique within the pack (also the policy name in `pulumi preview`). */
  name: string;
  /** Says WHY the rule exists; shown with every violation. */
  description: string;
  enforcementLevel: EnforcementLevel;
}

export interface ResourceRule extends RuleBase {
  kind: "resource";
  /** Returns one message per violation; [] when the resource passes or the rule does not apply. */
  check(r: ResourceView): string[];
}

export interface StackRule extends RuleBase {
  kind: "stack";
  /** Rules that relate resources to each other (a bucket and its public access block, ...). */
  check(resources: StackResourceView[], stackTier: Tier): Violation[];
}

export type Rule = ResourceRule | StackRule;
