/**
 * Adapts the shared rules (policy/rules) to @pulumi/policy. Kept apart from policy/index.ts
 * because `new PolicyPack(...)` starts a gRPC server at once: tests import this module.
 *
 * Tier: from the stack's own `chatbot:tier` and, for a published pack, the policy config
 * `{ tier }` of each policy (policy config is per policy in @pulumi/policy); the stricter wins
 * and neither means production (./tier.ts).
 */
import type {
  PolicyResource,
  Policies,
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { rules, type Rule, type StackResourceView, type Tier } from "./rules";
import { UNKNOWN } from "./rules/util";
import { DEFAULT_TIER, resolveTier } from "./tier";

export { DEFAULT_TIER };

export const tierConfigSchema: PolicyConfigSchema = {
  properties: {
    tier: {
      type: "string",
      enum: ["production", "staging", "preview"],
      // No default: unset lets the stack's own chatbot:tier decide (./tier.ts).
      description: "The stack's tier, for a published pack; a local run reads chatbot:tier from Pulumi.<stack>.yaml, and the stricter of the two applies.",
    },
  },
};

function tierOf(args: { getConfig<T extends object>(): T }, urn: string | undefined): Tier {
  return resolveTier(urn, args.getConfig<{ tier?: unknown }>().tier);
}

/**
 * A plain copy of engine props in which values not known yet become UNKNOWN. Stack rules read
 * these, so one unknown id (normal during preview) cannot abort a cross-resource rule.
 * Secrets arrive already unwrapped (the SDK deserializes with keepSecrets=false).
 */
export function plain(v: unknown, depth = 0): any {
  if (v === null || typeof v !== "object" || depth > 32) return v;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) out.push(read(() => v[i], depth));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = read(() => (v as any)[k], depth);
  return out;
}

function read(get: () => unknown, depth: number): unknown {
  try {
    return plain(get(), depth + 1);
  } catch {
    return UNKNOWN; // @pulumi/policy's UnknownValueError
  }
}

export function stackView(r: PolicyResource, tier: Tier): StackResourceView {
  const deps = new Set<string>(r.dependencies.map((d) => d.urn));
  for (const list of Object.values(r.propertyDependencies)) list.forEach((d) => deps.add(d.urn));
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    inputs: plain(r.props),
    providerInputs: r.provider ? plain(r.provider.props) : undefined,
    stackTier: tier,
    dependsOn: [...deps],
  };
}

export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const base = { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, configSchema: tierConfigSchema };
  if (rule.kind === "resource") {
    return {
      ...base,
      // Props stay the SDK's unknown-checking proxy: a resource rule that reads a value not
      // known yet is reported by the SDK as "can't run during preview" (advisory), by design.
      validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const messages = rule.check({
          type: args.type,
          name: args.name,
          urn: args.urn,
          inputs: args.props,
          providerInputs: args.provider?.props,
          stackTier: tierOf(args, args.urn),
        });
        messages.forEach((m) => report(m));
      },
    };
  }
  return {
    ...base,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const tier = tierOf(args, args.resources[0]?.urn);
      for (const v of rule.check(
        args.resources.map((r) => stackView(r, tier)),
        tier,
      ))
        report(v.message, v.urn);
    },
  };
}

export const policies: Policies = rules.map(toPolicy);
