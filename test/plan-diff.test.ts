import {
  attribute,
  comparePlans,
  diffStacks,
  diffValues,
  locationOf,
  normaliseStack,
  partnersOf,
  PRESENCE,
  flippedStackFile,
  swapStackNames,
  StackDiff,
  StackRenderer,
} from "../tools/plan/diff";
import { diffCommand, formatStackDiff } from "../tools/plan/diffCommand";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { loadStackConfig } from "../tools/plan/stackConfig";
import type { Plan, PlanResource } from "../tools/plan/types";
import { planFor } from "./support/plan";

function res(stack: string, type: string, name: string, inputs: Record<string, unknown>, protect = false): PlanResource {
  return {
    urn: `urn:pulumi:${stack}::chatbot::chatbot:data:Database$${type}::${name}`,
    type,
    name,
    parent: `urn:pulumi:${stack}::chatbot::chatbot:data:Database::db`,
    inputs,
    options: { protect, retainOnDelete: protect, dependsOn: [] },
    provider: null,
  };
}

function plan(stack: string, resources: PlanResource[], outputs: Record<string, unknown> = {}): Plan {
  const component: PlanResource = {
    urn: `urn:pulumi:${stack}::chatbot::chatbot:data:Database::db`,
    type: "chatbot:data:Database",
    name: "db",
    parent: null,
    inputs: {},
    options: { protect: false, retainOnDelete: false, dependsOn: [] },
    provider: null,
  };
  return { project: "chatbot", stack, resources: [component, ...resources], outputs };
}

describe("the diff algorithm on hand-built plans", () => {
  it("normalises the stack name only where it is a name segment", () => {
    expect(normaliseStack({ n: "chatbot-prod-db", t: "production", u: "urn:pulumi:prod::x", s: "staging" }, ["staging", "prod"])).toEqual({
      n: "chatbot-<stack>-db",
      t: "production",
      u: "urn:pulumi:<stack>::x",
      s: "<stack>",
    });
  });

  it("diffs to precise paths, opening JSON strings, and keeps a one-sided subtree whole", () => {
    const a = { tags: { Name: "chatbot-staging-db", "managed-by": "pulumi" }, containerDefinitions: JSON.stringify([{ cpu: 256, secrets: [] }]) };
    const b = { tags: { Name: "chatbot-prod-db", "managed-by": "me" }, containerDefinitions: JSON.stringify([{ cpu: 1024, secrets: [] }, { cpu: 1 }]) };
    expect(diffValues(a, b, ["staging", "prod"])).toEqual([
      { path: "containerDefinitions[0].cpu", a: 256, b: 1024 },
      { path: "containerDefinitions[1]", a: undefined, b: { cpu: 1 } },
      { path: 'tags["managed-by"]', a: "pulumi", b: "me" },
    ]);
  });

  it("lists resources in one stack only, differing inputs and options, and ignores equal secrets and stack names", () => {
    const a = plan(
      "staging",
      [
        res("staging", "aws:rds/instance:Instance", "db-instance", {
          identifier: "chatbot-staging-db",
          multiAz: false,
          password: "[secret]",
          tags: { Name: "x" },
        }),
        res("staging", "aws:iam/rolePolicy:RolePolicy", "db-policy", { policy: JSON.stringify({ Statement: [{ Action: "s3:GetObject" }] }) }),
      ],
      { tier: "staging" },
    );
    const b = plan(
      "prod",
      [
        res(
          "prod",
          "aws:rds/instance:Instance",
          "db-instance",
          { identifier: "chatbot-prod-db", multiAz: true, password: "[secret]", tags: { Name: "x" } },
          true,
        ),
        res("prod", "aws:iam/rolePolicy:RolePolicy", "db-policy", { policy: JSON.stringify({ Statement: [{ Action: "s3:PutObject" }] }) }),
        res("prod", "aws:rds/instance:Instance", "db-replica", {}),
      ],
      { tier: "production" },
    );
    const found = comparePlans(a, b).map((d) => [d.name, d.path, d.a, d.b]);
    expect(found).toEqual([
      ["db-policy", "policy.Statement[0].Action", "s3:GetObject", "s3:PutObject"],
      ["db-instance", "multiAz", false, true],
      ["db-instance", "options.protect", false, true],
      ["db-instance", "options.retainOnDelete", false, true],
      ["db-replica", PRESENCE, false, true],
      ["outputs", "tier", "staging", "production"],
    ]);
  });

  it("attributes to single keys, to combinations, and flags what no key explains", () => {
    const a = plan("staging", [res("staging", "aws:x:X", "x", { size: 1, zone: "a", env: "s" })]);
    const b = plan("prod", [res("prod", "aws:x:X", "x", { size: 2, zone: "b", env: "p" }), res("prod", "aws:x:X", "y", {})]);
    const diffs = comparePlans(a, b);
    const loc = (name: string, path: string) => locationOf(diffs.find((d) => d.name === name && d.path === path)!);
    const singles = new Map([
      ["sizeKey", new Set([loc("x", "size")])],
      ["zoneKey", new Set([loc("x", "zone"), loc("x", "size")])],
    ]);
    const combos = [{ keys: ["zoneKey", "countKey"], locations: new Set([loc("y", PRESENCE)]) }];
    const got = Object.fromEntries(attribute(diffs, singles, combos).map((d) => [`${d.name} ${d.path}`, [d.keys, d.combination, d.unexplained]]));
    expect(got).toEqual({
      "x size": [["sizeKey", "zoneKey"], false, false],
      "x zone": [["zoneKey"], false, false],
      "x env": [[], false, true],
      [`y ${PRESENCE}`]: [["countKey", "zoneKey"], true, false],
    });
    // A difference still present with all of B's config depends on the stack name: unexplained even if a key touches it.
    const withResidual = attribute(diffs, singles, combos, new Set([loc("x", "size")]));
    expect(
      withResidual
        .filter((d) => d.unexplained)
        .map((d) => d.path)
        .sort(),
    ).toEqual(["env", "size"]);
  });

  it("pairs a key a cross-key rule rejects with the keys the error names", () => {
    const error = { issues: [{ key: "apiMemory", value: "512", problem: "with apiCpu=1024 Fargate allows 2048 to 8192 MiB" }] };
    expect(partnersOf(error, ["apiCpu", "apiMemory", "api", "dbMultiAz"])).toEqual(["apiCpu", "apiMemory"]);
    expect(partnersOf(new Error("not a config error"), ["apiCpu"])).toEqual([]);
  });

  it("gives stack A a value of B's the way A would hold it", () => {
    expect(swapStackNames("ecr/chatbot-prod-api@sha256:1", "staging", "prod")).toBe("ecr/chatbot-staging-api@sha256:1");
    expect(swapStackNames("chatbot/chatbot/staging", "staging", "prod")).toBe("chatbot/chatbot/prod");
    expect(swapStackNames("production", "staging", "prod")).toBe("production");
  });

  it("writes each flip from stack A's own file: one flip's keys never leak into the next, and the config read back is the file's", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flip-test-"));
    try {
      const prod = loadStackConfig("prod").config;
      const staging = loadStackConfig("staging").config;
      const first = flippedStackFile(dir, "staging", "prod", "chatbot", ["dbMultiAz"]);
      const second = flippedStackFile(dir, "staging", "prod", "chatbot", ["azCount"]);
      const [a, b] = [first, second].map((f) => loadStackConfig("staging", { configFile: f }).config);
      expect(a["chatbot:dbMultiAz"]).toBe(prod["chatbot:dbMultiAz"]);
      expect(a["chatbot:azCount"]).toBe(staging["chatbot:azCount"]);
      expect(b["chatbot:azCount"]).toBe(prod["chatbot:azCount"]);
      expect(b["chatbot:dbMultiAz"]).toBe(staging["chatbot:dbMultiAz"]);
      expect(YAML.parse(fs.readFileSync(second, "utf8")).config["chatbot:dbMultiAz"]).toBe(
        YAML.parse(fs.readFileSync(path.resolve(__dirname, "../Pulumi.staging.yaml"), "utf8")).config["chatbot:dbMultiAz"],
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A fake program over the real stack files: what it declares follows their config (NAT gateways
 * from azCount x natGateways, RDS multiAz from dbMultiAz) plus, when asked, one input that
 * branches on the stack name, which no config key can explain.
 */
function fakeRenderer(branchOnStackName: boolean): StackRenderer {
  return async ({ stack, configFile }) => {
    const config = loadStackConfig(stack, { configFile });
    const v = (k: string) => config.config[`chatbot:${k}`];
    const azs = Number(v("azCount"));
    const nats = v("natGateways") === "perAz" ? azs : 1;
    const resources = [
      res(stack, "aws:rds/instance:Instance", "db-instance", {
        identifier: `chatbot-${stack}-db`,
        multiAz: v("dbMultiAz") === "true",
        instanceClass: v("dbInstanceClass"),
        ...(branchOnStackName ? { performanceInsightsEnabled: stack === "prod" } : {}),
      }),
      ...Array.from({ length: nats }, (_, i) => res(stack, "aws:ec2/natGateway:NatGateway", `nat-${i}`, { subnetId: `public-${i}` })),
    ];
    return { plan: plan(stack, resources), config };
  };
}

describe("diffStacks with a fake program", () => {
  it("explains every difference of a config-only program, including NATs that need two keys", async () => {
    const diff = await diffStacks("staging", "prod", fakeRenderer(false));
    const by = (name: string, path: string) => diff.differences.find((d) => d.name === name && d.path === path)!;
    expect(diff.unexplained).toBe(0);
    expect(diff.residual).toEqual([]);
    expect(by("db-instance", "multiAz").keys).toEqual(["dbMultiAz"]);
    expect(by("db-instance", "instanceClass").keys).toEqual(["dbInstanceClass"]);
    expect(by("nat-1", PRESENCE)).toMatchObject({ keys: ["natGateways"], combination: false });
    expect(by("nat-2", PRESENCE)).toMatchObject({ keys: ["azCount", "natGateways"], combination: true });
  });

  it("flags an input that follows the stack name as UNEXPLAINED, and the command exits 1", async () => {
    const diff = await diffStacks("staging", "prod", fakeRenderer(true));
    expect(diff.differences.filter((d) => d.unexplained).map((d) => `${d.name} ${d.path}`)).toEqual(["db-instance performanceInsightsEnabled"]);
    expect(formatStackDiff(diff)).toMatch(/performanceInsightsEnabled: false -> true {3}UNEXPLAINED/);
    const out: string[] = [];
    expect(await diffCommand(["staging", "prod", "--keys", "dbMultiAz"], fakeRenderer(true), (s) => out.push(s))).toBe(1);
    expect(await diffCommand(["staging", "prod", "--keys", "dbMultiAz"], fakeRenderer(false), (s) => out.push(s))).toBe(0);
  });
});

/**
 * The real program, staging against prod. Attributing all ~40 differing keys takes one render
 * each (the CLI does it in ~12 s); here a subset is attributed one by one, and the render of
 * staging with ALL of prod's config proves every other difference comes from config too.
 */
describe("staging vs prod, rendered", () => {
  const keys = ["natGateways", "azCount", "dbMultiAz"];
  let diff: StackDiff;
  const renderer: StackRenderer = (o) => planFor(o.stack, { configFile: o.configFile });
  beforeAll(async () => {
    diff = await diffStacks("staging", "prod", renderer, { keys });
  }, 120_000);

  it("finds differences, and every one is explained by config (nothing follows the stack name)", () => {
    expect(diff.differences.length).toBeGreaterThan(0);
    expect(diff.residual).toEqual([]);
    expect(diff.differences.filter((d) => d.unexplained)).toEqual([]);
  });

  it("attributes the NAT gateways to natGateways, and the third one to azCount + natGateways", () => {
    const nats = diff.differences.filter((d) => d.type === "aws:ec2/natGateway:NatGateway" && d.path === PRESENCE);
    expect(nats.map((d) => [d.name, d.keys, d.combination])).toEqual([
      ["network-nat-1", ["natGateways"], false],
      ["network-nat-2", ["azCount", "natGateways"], true],
    ]);
  });

  it("attributes the RDS instance's multiAz to dbMultiAz", () => {
    const multiAz = diff.differences.filter((d) => d.type === "aws:rds/instance:Instance" && d.path === "multiAz");
    expect(multiAz.map((d) => [d.a, d.b, d.keys, d.combination])).toEqual([[false, true, ["dbMultiAz"], false]]);
  });

  it("credits other differences to config without attributing them (keys outside the subset)", () => {
    const vpc = diff.differences.find((d) => d.type === "aws:ec2/vpc:Vpc" && d.path === "cidrBlock")!;
    expect(vpc).toMatchObject({ keys: [], unexplained: false });
  });
});
