/**
 * Renders a stack for a test, like CDK's Template.fromStack: the real program, under runtime
 * mocks, through the same harness as `npm run plan`. Each call resets jest's module registry so
 * the program and @pulumi/pulumi load fresh: several stacks may be rendered in one test file,
 * one after another (never concurrently: the Pulumi runtime is a process-wide singleton).
 *
 * A committed stack rendered with no options is the same in every test file, so jest's
 * globalSetup renders staging and prod once (through the same harness) and planFor hands out
 * copies; anything with options renders afresh.
 */
import * as fs from "fs";
import * as path from "path";
import type { RenderPlanOptions, RenderedStack } from "../../tools/plan/render";
import type { Plan, PlanResource } from "../../tools/plan/types";

const ROOT = path.resolve(__dirname, "../..");

export async function planFor(stack: string, opts: Omit<RenderPlanOptions, "stack" | "load"> = {}): Promise<RenderedStack> {
  const cached = process.env.TEST_PLAN_CACHE && path.join(process.env.TEST_PLAN_CACHE, `${stack}.json`);
  const given = Object.values(opts).filter((v) => v !== undefined);
  if (cached && given.length === 0 && fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, "utf8"));
  // A preview-tier stack borrows its lender's outputs: render the lender first, on its own registry.
  const { lenderOf, lenderReferencesFrom } = require(path.join(ROOT, "tools/plan/render")) as typeof import("../../tools/plan/render");
  const { loadStackConfig } = require(path.join(ROOT, "tools/plan/stackConfig")) as typeof import("../../tools/plan/stackConfig");
  const lender = opts.stackReferences || opts.lenderReferences ? undefined : lenderOf(loadStackConfig(stack, opts));
  const lenderReferences = lender ? lenderReferencesFrom(lender.ref, (await planFor(lender.stack)).plan) : opts.lenderReferences;
  jest.resetModules();
  const { renderStack } = require(path.join(ROOT, "tools/plan/render")) as typeof import("../../tools/plan/render");
  return renderStack({ ...opts, lenderReferences, stack, load: () => require(path.join(ROOT, "infra")) });
}

/** All resources of a type (e.g. "aws:ec2/subnet:Subnet"). */
export function ofType(plan: Plan, type: string): PlanResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** The single resource of a type whose logical name matches; fails if there is not exactly one. */
export function one(plan: Plan, type: string, name?: string | RegExp): PlanResource {
  const found = ofType(plan, type).filter((r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)));
  if (found.length !== 1) {
    throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
  }
  return found[0];
}

/** Effective tags: the resource's provider's defaultTags merged with its own tags, as AWS applies them. */
export function effectiveTags(plan: Plan, r: PlanResource): Record<string, string> {
  const provider = plan.resources.find((p) => p.urn === r.provider);
  const defaults = (provider?.inputs.defaultTags as { tags?: Record<string, string> } | undefined)?.tags ?? {};
  return { ...defaults, ...((r.inputs.tags as Record<string, string>) ?? {}) };
}

export function parseJsonInput<T = any>(r: PlanResource, key: string): T {
  const v = r.inputs[key];
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";

/** The id the mocked cloud gives a resource (tools/plan/harness.ts): what other resources refer to it by. */
export const idOf = (r: PlanResource) => `${r.name}-id`;

function groupName(plan: Plan, id: unknown): string {
  return ofType(plan, SECURITY_GROUP).find((g) => idOf(g) === id)?.name ?? `unknown group ${String(id)}`;
}

/** The rules of one direction on a group, as "protocol from-to <from|to> <group name or CIDR>", sorted. */
export function rulesOf(plan: Plan, type: typeof INGRESS_RULE | typeof EGRESS_RULE, sg: PlanResource): string[] {
  const dir = type === INGRESS_RULE ? "from" : "to";
  return ofType(plan, type)
    .filter((r) => r.inputs.securityGroupId === idOf(sg))
    .map((r) => {
      const peer =
        r.inputs.referencedSecurityGroupId !== undefined ? groupName(plan, r.inputs.referencedSecurityGroupId) : (r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6);
      return `${r.inputs.ipProtocol} ${r.inputs.fromPort}-${r.inputs.toPort} ${dir} ${peer}`;
    })
    .sort();
}
