/**
 * `plan diff` renders each flipped config incrementally, replaying the components whose arguments
 * did not change (tools/plan/incremental.ts). These tests run it as the CLI does, in a child
 * process (it loads the program through Node's module cache, which jest replaces), and check that
 * it gives what full renders give: the same plans, and the attribution of each difference.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import type { CheckResult } from "../tools/plan/incrementalCheck";
import type { AttributedDifference, StackDiff } from "../tools/plan/diff";

const ROOT = path.resolve(__dirname, "..");
const run = (script: string, args: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, maxBuffer: 64 << 20 });

describe("an incremental render equals a full render", () => {
  // Chosen to reach each way a change travels: through a component's outputs to its dependents
  // (a third AZ's subnet), a component left out, a provider's inputs (every component), a value
  // several components get from one derived object (APP_ENV), and one argument of one component.
  const overrides = ["azCount=3", "telegramBotEnabled=false", "region=us-east-1", "tier=production", "dbMultiAz=true"];
  let results: CheckResult[];
  beforeAll(async () => {
    results = JSON.parse((await run("tools/plan/incrementalCheck.ts", ["staging", ...overrides])).stdout);
  }, 240_000);

  it.each(overrides)("staging with %s: every resource and output the same", (override) => {
    const r = results.find((x) => x.override === override)!;
    expect(r.resources).toBeGreaterThan(200);
    expect(r.mismatches).toEqual([]);
  });

  it("constructs only what a change reaches", () => {
    const by = Object.fromEntries(results.map((r) => [r.override, r]));
    expect(by["dbMultiAz=true"]).toMatchObject({ constructed: 1 });
    expect(by["region=us-east-1"]).toMatchObject({ replayed: 0 });
    // The network and every component given its subnets, not the ones that never see them.
    expect(by["azCount=3"].constructed).toBeGreaterThan(5);
    expect(by["azCount=3"].replayed).toBeGreaterThan(0);
  });
});

describe("npm run plan -- diff staging prod", () => {
  let diff: StackDiff;
  let stdout: string;
  beforeAll(async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-")), "diff.json");
    stdout = (await run("tools/plan/cli.ts", ["diff", "staging", "prod", "--json", file])).stdout;
    diff = JSON.parse(fs.readFileSync(file, "utf8"));
  }, 240_000);
  const cause = (type: string, name: string, p: string) => {
    const d = diff.differences.find((x) => x.type === type && x.name === name && x.path === p) as AttributedDifference | undefined;
    return d && [d.keys, d.combination];
  };

  it("explains every difference by config", () => {
    expect(diff.differences.length).toBeGreaterThan(50);
    expect(diff.unexplained).toBe(0);
    expect(diff.residual).toEqual([]);
    expect(stdout).toMatch(/0 unexplained/);
  });

  it("attributes each difference to the keys whose flip alone changes it, or the smallest set together", () => {
    // Reaches the services only through the network's outputs: lost if a dependent were replayed.
    expect(cause("aws:ecs/service:Service", "telegram-bot-service", "networkConfiguration.subnets[2]")).toEqual([["azCount"], false]);
    // From one object (appEnvironment) that three services share.
    expect(cause("aws:ecs/taskDefinition:TaskDefinition", "discord-bot-task", "containerDefinitions[0].environment[0].value")).toEqual([["tier"], false]);
    expect(cause("aws:ec2/natGateway:NatGateway", "network-nat-2", "(resource)")).toEqual([["azCount", "natGateways"], true]);
    expect(cause("aws:ecs/taskDefinition:TaskDefinition", "api-task", "cpu")).toEqual([["apiCpu", "apiMemory"], true]);
    expect(cause("aws:ecs/taskDefinition:TaskDefinition", "api-task", "memory")).toEqual([["apiMemory"], false]);
    expect(cause("aws:rds/instance:Instance", "postgres-instance", "multiAz")).toEqual([["dbMultiAz"], false]);
    expect(cause("aws:cloudwatch/logGroup:LogGroup", "waf-logs", "retentionInDays")).toEqual([["appLogRetentionDays"], false]);
    expect(cause("aws:cloudwatch/metricAlarm:MetricAlarm", "alarms-redis-003-memory", "(resource)")).toEqual([["redisReplicas"], false]);
  });

  it("flips the keys a cross-key rule rejects alone together with the keys the rule names", () => {
    expect(diff.failedFlips.map((f) => f.keys.join(" + "))).toEqual(expect.arrayContaining(["apiCpu", "apiMinCount", "dbAllocatedStorageGb"]));
  });
});
