/**
 * The @pulumi/policy adapter maps the same rules. policy/index.ts (which starts a gRPC server)
 * is never imported; policy/policies.ts is, and its validate functions are called with built args.
 */
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { policies, plain } from "../../policy/policies";
import { rules, TIERS } from "../../policy/rules";
import { UNKNOWN } from "../../policy/rules/util";
import { policyPackConfig } from "../../tools/audit/policy-config";
import { TAGS, T, urn } from "./fixtures";

function resourceArgs(
  type: string,
  name: string,
  props: Record<string, any>,
  opts: { tier?: string; providerProps?: Record<string, any> } = {},
): ResourceValidationArgs {
  return {
    type,
    name,
    urn: urn(type, name),
    props,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    provider: opts.providerProps ? { type: "pulumi:providers:aws", name: "tagged", urn: "urn:p", props: opts.providerProps } : undefined,
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <C extends object>() => (opts.tier ? { tier: opts.tier } : {}) as C,
    notApplicable: () => {
      throw new Error("notApplicable");
    },
  };
}

function policy<P>(name: string): P {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p as P;
}

async function runResource(name: string, args: ResourceValidationArgs): Promise<string[]> {
  const messages: string[] = [];
  const p = policy<ResourceValidationPolicy>(name);
  const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
  for (const v of validations) await v(args, (m) => messages.push(m));
  return messages;
}

function stackResource(type: string, name: string, props: Record<string, any>, dependencies: PolicyResource[] = []): PolicyResource {
  return {
    type,
    name,
    urn: urn(type, name),
    props,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    dependencies,
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

async function runStack(name: string, resources: PolicyResource[], tier?: string): Promise<{ message: string; urn?: string }[]> {
  const out: { message: string; urn?: string }[] = [];
  const args: StackValidationArgs = {
    resources,
    stackTags: new Map(),
    getConfig: <C extends object>() => (tier ? { tier } : {}) as C,
    notApplicable: () => {
      throw new Error("notApplicable");
    },
  };
  await policy<StackValidationPolicy>(name).validateStack(args, (message, u) => out.push({ message, urn: u }));
  return out;
}

/** Like the engine's proxy during preview: reading `unknownKeys` throws. */
function withUnknowns(props: Record<string, any>, unknownKeys: string[]): Record<string, any> {
  return new Proxy(props, {
    get: (o, k) => {
      if (typeof k === "string" && unknownKeys.includes(k)) throw new Error("UnknownValueError");
      return (o as any)[k];
    },
  });
}

describe("policy pack adapter", () => {
  it("has one policy per rule, same name, description, level, kind, with the tier config schema", () => {
    expect(policies.map((p) => [p.name, p.description, p.enforcementLevel])).toEqual(rules.map((r) => [r.name, r.description, r.enforcementLevel]));
    rules.forEach((r, i) => {
      const p = policies[i] as any;
      expect(typeof (r.kind === "resource" ? p.validateResource : p.validateStack)).toBe("function");
      expect(p.configSchema.properties.tier.enum).toEqual([...TIERS]);
    });
  });

  it("resource policies report the rule's messages", async () => {
    const bad = await runResource("kms-key-rotation", resourceArgs(T.kms, "k", { enableKeyRotation: false }));
    expect(bad).toEqual([expect.stringMatching(/enableKeyRotation must be true/)]);
    expect(await runResource("kms-key-rotation", resourceArgs(T.kms, "k", { enableKeyRotation: true }))).toEqual([]);
  });

  it("takes the tier from policy config, defaulting to production", async () => {
    const lax = { deletionProtection: false, multiAz: false };
    expect(await runResource("rds-production-resilience", resourceArgs(T.rds, "db", lax))).toHaveLength(2);
    expect(await runResource("rds-production-resilience", resourceArgs(T.rds, "db", lax, { tier: "production" }))).toHaveLength(2);
    expect(await runResource("rds-production-resilience", resourceArgs(T.rds, "db", lax, { tier: "preview" }))).toEqual([]);
  });

  it("reads defaultTags from the provider's props, as object or as JSON string", async () => {
    const lg = (providerProps?: Record<string, any>) => resourceArgs(T.logGroup, "l", { retentionInDays: 7 }, { providerProps });
    expect(await runResource("tags-required", lg({ defaultTags: { tags: TAGS } }))).toEqual([]);
    expect(await runResource("tags-required", lg({ defaultTags: JSON.stringify({ tags: TAGS }) }))).toEqual([]);
    expect(await runResource("tags-required", lg({ region: "eu-central-1" }))).toEqual([expect.stringMatching(/missing tags/)]);
  });

  it("stack policies link by engine dependencies when ids are unknown (preview)", async () => {
    const bucket = stackResource(T.bucket, "backup", { bucket: "chatbot-prod-backup" });
    const pab = stackResource(
      T.pab,
      "backup-pab",
      withUnknowns({ bucket: "(unknown id)", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, ["bucket"]),
      [bucket],
    );
    expect(await runStack("s3-public-access-block", [bucket, pab])).toEqual([]);
    const violations = await runStack("s3-public-access-block", [bucket]);
    expect(violations).toEqual([{ message: expect.stringMatching(/no BucketPublicAccessBlock/), urn: bucket.urn }]);
  });

  it("plain() turns values that throw on access into UNKNOWN", () => {
    expect(plain(withUnknowns({ a: 1, b: { c: [1, 2] }, id: "x" }, ["id"]))).toEqual({ a: 1, b: { c: [1, 2] }, id: UNKNOWN });
  });
});

describe("policy pack config files", () => {
  it.each([...TIERS])("policy/config/%s.json is up to date (npx tsx tools/audit/policy-config.ts)", (tier) => {
    const file = path.join(__dirname, "..", "..", "policy", "config", `${tier}.json`);
    expect(fs.readFileSync(file, "utf8")).toBe(policyPackConfig(tier));
    expect(Object.keys(JSON.parse(policyPackConfig(tier)))).toEqual(rules.map((r) => r.name));
  });
});
