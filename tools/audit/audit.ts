/**
 * Runs the policy pack's rules (policy/rules) against an offline plan (tools/plan/types.ts).
 * Same rules as `pulumi preview --policy-pack policy`; only the adapter differs.
 */
import type { Plan, PlanResource } from "../plan/types";
import { rules as allRules, isTier, type EnforcementLevel, type Rule, type StackResourceView, type Tier } from "../../policy/rules";

export interface AuditViolation {
  /** URN of the offending resource; absent for a stack-wide violation. */
  urn?: string;
  /** Logical name and type of that resource, when it is in the plan. */
  name?: string;
  type?: string;
  message: string;
}

export interface RuleResult {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  status: "PASS" | "FAIL";
  violations: AuditViolation[];
}

export interface AuditResult {
  project: string;
  stack: string;
  tier: Tier;
  /** False when any mandatory rule failed (advisory failures do not count). */
  passed: boolean;
  mandatoryFailures: number;
  advisoryFailures: number;
  rules: RuleResult[];
}

export class AuditInputError extends Error {}

/** The plan output `tier`; a plan without one is audited as production (strictest). */
export function planTier(plan: Plan): Tier {
  const t = plan.outputs?.tier;
  if (t === undefined) return "production";
  if (!isTier(t)) {
    throw new AuditInputError(`plan output "tier" is ${JSON.stringify(t)}; allowed: production, staging, preview`);
  }
  return t;
}

export function planViews(plan: Plan, tier: Tier): StackResourceView[] {
  const byUrn = new Map<string, PlanResource>(plan.resources.map((r) => [r.urn, r]));
  return plan.resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: r.urn,
    inputs: r.inputs ?? {},
    providerInputs: r.provider ? byUrn.get(r.provider)?.inputs : undefined,
    stackTier: tier,
    dependsOn: r.options?.dependsOn ?? [],
  }));
}

export function runAudit(plan: Plan, rules: Rule[] = allRules): AuditResult {
  if (!plan || !Array.isArray(plan.resources)) throw new AuditInputError("not a plan: no resources array");
  const tier = planTier(plan);
  const views = planViews(plan, tier);
  const byUrn = new Map(views.map((v) => [v.urn, v]));
  const results: RuleResult[] = rules.map((rule) => {
    const found = rule.kind === "resource" ? views.flatMap((v) => rule.check(v).map((message) => ({ urn: v.urn, message }))) : rule.check(views, tier);
    const violations = found.map((v) => {
      const r = v.urn ? byUrn.get(v.urn) : undefined;
      return { ...(v.urn ? { urn: v.urn } : {}), ...(r ? { name: r.name, type: r.type } : {}), message: v.message };
    });
    return { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, status: violations.length ? "FAIL" : "PASS", violations };
  });
  const failed = (level: EnforcementLevel) => results.filter((r) => r.status === "FAIL" && r.enforcementLevel === level).length;
  const mandatoryFailures = failed("mandatory");
  return {
    project: plan.project,
    stack: plan.stack,
    tier,
    passed: mandatoryFailures === 0,
    mandatoryFailures,
    advisoryFailures: failed("advisory"),
    rules: results,
  };
}

export function formatAudit(result: AuditResult): string {
  const lines = [`Policy audit of ${result.project}/${result.stack} (tier ${result.tier})`, ""];
  for (const r of result.rules) {
    const level = r.enforcementLevel === "advisory" ? " (advisory)" : "";
    lines.push(`${r.status} ${r.name}${level}`);
    if (r.status === "FAIL") {
      lines.push(`     why: ${r.description}`);
      for (const v of r.violations) lines.push(`   - ${v.urn ?? "(stack)"}\n       ${v.message}`);
    }
  }
  const passed = result.rules.filter((r) => r.status === "PASS").length;
  lines.push(
    "",
    `${passed}/${result.rules.length} rules passed; ${result.mandatoryFailures} mandatory and ` + `${result.advisoryFailures} advisory rule(s) failed.`,
  );
  return lines.join("\n") + "\n";
}
