/**
 * The offline providers' Check: the argument rules AWS enforces at create time (each with a
 * violating value), and that the stacks as committed break none of them.
 */
import { checkConstraints } from "../../tools/engine/plugins/constraints";
import * as path from "path";
import { planFor } from "../support/plan";

const ROOT = path.resolve(__dirname, "../..");
async function renderBootstrap(stack: string) {
  jest.resetModules();
  const { renderStack } = require(path.join(ROOT, "tools/plan/render")) as typeof import("../../tools/plan/render");
  return renderStack({ stack, project: "bootstrap", load: () => require(path.join(ROOT, "bootstrap/index.ts")) });
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
const TD = "aws:ecs/taskDefinition:TaskDefinition";

describe("AWS argument rules in Check", () => {
  it.each([
    [SG, { description: "App's tasks" }, "description", /may|must be at most 255 characters of a-z/],
    [SG, { description: "x".repeat(256) }, "description", /at most 255 characters/],
    ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { description: "HTTPS → API" }, "description", /a-z, A-Z, 0-9/],
    ["aws:lb/loadBalancer:LoadBalancer", { name: "chatbot-pr-1234567890123-api-alb" + "x" }, "name", /at most 32 are allowed/],
    ["aws:lb/targetGroup:TargetGroup", { name: "api_tg" }, "name", /alphanumerics and hyphens/],
    [TD, { requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "4096" }, "memory", /not valid with 256 CPU units.*512, 1024, 2048/],
    [TD, { requiresCompatibilities: ["FARGATE"], cpu: "384", memory: "1024" }, "cpu", /not a Fargate size/],
    ["aws:rds/instance:Instance", { allocatedStorage: 20, maxAllocatedStorage: 20 }, "maxAllocatedStorage", /must be above allocatedStorage \(20 GiB\), or 0/],
    ["aws:rds/instance:Instance", { identifier: "Chatbot--db" }, "identifier", /lowercase letters/],
    [
      "aws:elasticache/replicationGroup:ReplicationGroup",
      { replicationGroupId: "chatbot-staging-redis-cache-for-llm-answers" },
      "replicationGroupId",
      /at most 40/,
    ],
    ["aws:cloudwatch/logGroup:LogGroup", { name: "/chatbot staging/api" }, "name", /_-\/\.#/],
    ["aws:secretsmanager/secret:Secret", { name: "chatbot:staging/llm" }, "name", /letters, digits/],
    ["aws:iam/role:Role", { name: "r".repeat(65) }, "name", /at most 64/],
    ["aws:s3/bucket:Bucket", { bucket: "Chatbot_Backups" }, "bucket", /lowercase letters/],
    ["aws:ecr/repository:Repository", { name: "Chatbot/API" }, "name", /lowercase letters/],
    ["aws:acm/certificate:Certificate", { domainName: "api.*.example.com" }, "domainName", /"\*\." only as the first label \(ACM API/],
    ["aws:acm/certificate:Certificate", { domainName: `${"a".repeat(64)}.example.com` }, "domainName", /labels of letters/],
    ["aws:route53/record:Record", { type: "ALIAS", name: "x.example.com" }, "type", /not a Route 53 record type/],
    [
      "aws:route53/record:Record",
      { type: "A", name: "x.example.com", ttl: 60, aliases: [{ name: "lb", zoneId: "Z1", evaluateTargetHealth: false }] },
      "aliases",
      /takes no ttl or records/,
    ],
    ["aws:route53/record:Record", { type: "CNAME", name: "x.example.com", records: ["y.example.com"] }, "ttl", /required with records/],
    [
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      { url: "token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] },
      "url",
      /must begin with https:\/\//,
    ],
  ])("%s refuses %j, naming %s", (type, inputs, property, reason) => {
    const failures = checkConstraints(type, inputs);
    expect(failures.map((f) => f.property)).toContain(property);
    expect(failures.find((f) => f.property === property)!.reason).toMatch(reason);
  });

  it("lets unknown and valid values through", () => {
    expect(checkConstraints(TD, { requiresCompatibilities: ["FARGATE"], cpu: "512", memory: "1024", family: "chatbot-staging-api" })).toEqual([]);
    expect(checkConstraints("aws:lb/loadBalancer:LoadBalancer", { name: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).toEqual([]);
  });

  it.each(["staging", "prod", "preview", "bootstrap main"])("finds nothing wrong in the committed %s stack", async (name) => {
    const [project, stack] = name.startsWith("bootstrap ") ? ["bootstrap" as const, name.split(" ")[1]] : ["app" as const, name];
    const { plan } = project === "app" ? await planFor(stack) : await renderBootstrap(stack);
    const failures = plan.resources.flatMap((r) => checkConstraints(r.type, r.inputs).map((f) => `${r.urn} ${f.property}: ${f.reason}`));
    expect(failures).toEqual([]);
  });
});
