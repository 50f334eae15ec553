/** Shared by the rule tests: one rule run through the offline audit path, and the resource builders of their cases. */
import { rules, type Rule } from "../../policy/rules";
import { runAudit } from "../../tools/audit/audit";
import type { PlanResource } from "../../tools/plan/types";
import { goodContainers, plan, protectedBucket, res, T } from "./fixtures";

function rule(name: string): Rule {
  const r = rules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
}

export function violations(name: string, resources: PlanResource[], tier = "production"): string[] {
  return runAudit(plan(resources, tier), [rule(name)]).rules[0].violations.map((v) => v.message);
}

export const bucket = (over: Record<string, Record<string, unknown> | null>) =>
  protectedBucket().flatMap((r) => {
    const key = r.name.replace(/^backup-?/, "") || "bucket";
    if (!(key in over)) return [r];
    const o = over[key];
    return o === null ? [] : [{ ...r, inputs: { ...r.inputs, ...o } }];
  });

export const container = (c: Record<string, unknown>) => {
  const base = JSON.parse(goodContainers)[0];
  return res(T.taskDef, "api", { containerDefinitions: JSON.stringify([{ ...base, ...c }]) });
};
export const env = (name: string, value: string) => container({ environment: [{ name, value }] });

export const ingress = (sgName: string, rule: Record<string, unknown>) => res(T.sg, sgName, { name: `chatbot-test-${sgName}`, ingress: [rule] });
export const world443 = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };

export const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
