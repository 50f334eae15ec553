/**
 * The rules of a WAFv2 web ACL in one line each, for the Markdown report: what a reviewer checks
 * is which requests are limited or blocked, by what key, on which (normalised) paths.
 */
type Statement = Record<string, any>;

const transforms = (t: { type: string }[] | undefined) =>
  (t ?? [])
    .map((x) => x.type)
    .filter((x) => x !== "NONE")
    .map((x) => x.toLowerCase().replace(/_/g, "-"))
    .join(", ");

function describe(s: Statement): string {
  if (s.byteMatchStatement) {
    const b = s.byteMatchStatement;
    const how = transforms(b.textTransformations);
    return `path ${b.positionalConstraint === "STARTS_WITH" ? `${b.searchString}*` : b.searchString}${how ? ` (${how})` : " (raw, no normalisation)"}`;
  }
  if (s.sizeConstraintStatement) {
    const z = s.sizeConstraintStatement;
    return `body ${z.comparisonOperator === "GT" ? ">" : z.comparisonOperator} ${z.size / 1024} KB`;
  }
  if (s.notStatement) return `not ${describe(s.notStatement.statement)}`;
  if (s.andStatement) return (s.andStatement.statements as Statement[]).map(describe).join(" and ");
  if (s.orStatement) return `(${(s.orStatement.statements as Statement[]).map(describe).join(" or ")})`;
  return "?";
}

export function wafRules(rules: any[] | undefined): string[] {
  return [...(rules ?? [])]
    .sort((a, b) => a.priority - b.priority)
    .map((r) => {
      const s = r.statement ?? {};
      if (s.managedRuleGroupStatement) {
        const m = s.managedRuleGroupStatement;
        const overrides = (m.ruleActionOverrides ?? []).map((o: any) => `${o.name} → ${Object.keys(o.actionToUse ?? {})[0]}`);
        return `${m.name}${overrides.length ? ` (${overrides.join(", ")})` : ""}`;
      }
      const action = Object.keys(r.action ?? {})[0] ?? "?";
      if (s.rateBasedStatement) {
        const q = s.rateBasedStatement;
        const key =
          q.aggregateKeyType === "CUSTOM_KEYS"
            ? `per ${(q.customKeys ?? []).map((k: any) => (k.header ? `header ${k.header.name}` : Object.keys(k)[0])).join("+")}`
            : `per ${String(q.aggregateKeyType).toLowerCase()}`;
        return `${r.name}: ${action} over ${q.limit}/${(q.evaluationWindowSec ?? 300) / 60} min ${key}${q.scopeDownStatement ? ` on ${describe(q.scopeDownStatement)}` : ""}`;
      }
      return `${r.name}: ${action} ${describe(s)}`;
    });
}
