/**
 * What only the CLI's own program loader and policy runner show: the program compiles under the
 * loader's default, type-checking ts-node, and a mandatory policy violation fails a preview with
 * the policy's name; an argument AWS would refuse fails it in the provider's Check.
 */
import * as path from "path";
import { policyPackArgs } from "../../tools/engine/policy";
import { EngineWorkspace } from "../../tools/engine/workspace";
import { ENGINE_TIMEOUT, outcome, stackFileWith } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

const ROOT = path.resolve(__dirname, "../..");

let ws: EngineWorkspace;
beforeAll(async () => {
  // Type-checking, as `pulumi up` does for a user who has not opted out.
  ws = await EngineWorkspace.create();
});
afterAll(() => ws?.dispose());

it("previews staging under the CLI's type-checking TypeScript loader", async () => {
  await ws.initStack("staging");
  const res = await ws.pulumi(["preview", "--stack", "staging"]);
  expect(outcome(res)).toEqual({ status: 0 });
  expect(res.stdout).not.toMatch(/TS\d{4}/);
});

it("fails a preview on a mandatory policy violation and names the policy", async () => {
  // A production-tier stack without a standby: the config allows it, the policy does not.
  const file = stackFileWith("prod", { dbMultiAz: false, compareSecretsWithStack: "" });
  await ws.initStack("prod", { configFile: file });
  const res = await ws.pulumi(["preview", "--stack", "prod", ...policyPackArgs("prod", file)]);
  expect(res.status).not.toBe(0);
  expect(res.stdout).toMatch(/\[mandatory\]\s+rds-production-resilience\s+\(aws:rds\/instance:Instance: postgres-instance\)/);
  expect(res.stdout).toContain("multiAz must be true in a production stack");
});

it("fails a preview when an argument breaks an AWS rule, naming the resource and the argument", async () => {
  // The load balancer's and target group's names follow the stack's: past 32 characters ELBv2
  // refuses them; the S3 buckets' names (stack, account and region) pass 63. The engine stops at
  // whichever Check fails first.
  const stack = "pr-12345678901234567890";
  // A preview that builds its own load balancer (sharedInfraStack ""): the names ELBv2 checks.
  await ws.initStack(stack, { configFile: path.join(ROOT, "Pulumi.preview.yaml"), overrides: { sharedInfraStack: "", previewDomain: "" } });
  const res = await ws.pulumi(["preview", "--stack", stack]);
  expect(res.status).not.toBe(0);
  const elb =
    /aws:lb\/(loadBalancer:LoadBalancer resource 'api-alb'|targetGroup:TargetGroup resource 'api-tg'): property name value \{chatbot-pr-12345678901234567890-api\} has a problem: .* is 35 characters; at most 32 are allowed/;
  const s3 =
    /aws:s3\/bucket:Bucket resource '[\w-]+-bucket': property bucket value \{chatbot-pr-12345678901234567890-[\w-]+\} has a problem: "[\w-]+" is \d+ characters; 3 to 63 are allowed/;
  expect([elb.test(res.stdout) || s3.test(res.stdout), res.stdout.slice(-3000)]).toEqual([true, res.stdout.slice(-3000)]);
});
