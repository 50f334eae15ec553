/** A preview's route alone: its own target group and one host rule on the lender's listener, nothing else of the load balancer. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const TARGET_GROUP = "aws:lb/targetGroup:TargetGroup";
const RULE = "aws:lb/listenerRule:ListenerRule";
const LISTENER = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:listener/app/chatbot-staging-api/0123456789abcdef/fedcba9876543210";

const render = (namePrefix: string) => {
  const route: { host?: string; url?: string } = {};
  const plan = renderComponent(() => {
    const aws = load<typeof import("@pulumi/aws")>("node_modules/@pulumi/aws");
    const { HostRoute } = load<typeof import("../../../components/containers/hostRoute")>("components/containers/hostRoute");
    const r = new HostRoute("api", {
      namePrefix,
      vpcId: "vpc-1",
      listenerArn: LISTENER,
      albArnSuffix: "app/chatbot-staging-api/0123456789abcdef",
      host: "pr-123.staging.chatbot.example",
      targetPort: 8000,
      healthCheckPath: "/api/health",
      deregistrationDelaySeconds: 30,
    });
    route.host = r.host;
    route.url = r.url;
    // Stands for the API's ECS service, which registers its tasks in the target group.
    new aws.ecs.Service("consumer", {
      cluster: "c",
      taskDefinition: "td",
      loadBalancers: [{ targetGroupArn: r.targetGroupArn, containerName: "api", containerPort: 8000 }],
    });
  });
  return plan.then((p) => ({ plan: p, route }));
};

describe("HostRoute", () => {
  let plan: Plan;
  let route: { host?: string; url?: string };
  beforeAll(async () => {
    ({ plan, route } = await render("chatbot-pr-123"));
  });

  it("owns exactly one target group and one listener rule: no listener, load balancer or certificate of its own", () => {
    const { "aws:ecs/service:Service": consumer, ...owned } = typeCounts(plan);
    expect(consumer).toBe(1);
    expect(owned).toEqual({ "chatbot:containers:HostRoute": 1, [TARGET_GROUP]: 1, [RULE]: 1 });
  });

  it("names the target group after the stack and health-checks the API path, only a 200 being healthy", () => {
    expect(one(plan, TARGET_GROUP).inputs).toMatchObject({
      name: "chatbot-pr-123-api",
      vpcId: "vpc-1",
      targetType: "ip",
      protocol: "HTTP",
      port: 8000,
      deregistrationDelay: 30,
      healthCheck: { path: "/api/health", matcher: "200", port: "traffic-port", healthyThreshold: 2, unhealthyThreshold: 3 },
      tags: { Name: "chatbot-pr-123-api" },
    });
  });

  it("forwards only its host, on the shared HTTPS listener, to its own target group", () => {
    const rule = one(plan, RULE).inputs;
    expect(rule.listenerArn).toBe(LISTENER);
    expect(rule.conditions).toEqual([{ hostHeader: { values: ["pr-123.staging.chatbot.example"] } }]);
    expect(rule.actions).toEqual([{ type: "forward", targetGroupArn: "arn:aws:lb:eu-central-1:123456789012:api-tg" }]);
  });

  it("takes no fixed priority, so concurrent previews never collide on a number", () => {
    expect(one(plan, RULE).inputs.priority).toBeUndefined();
  });

  it("hands out the target group only once the rule forwards to it (ECS refuses a group no listener uses)", () => {
    const consumer = one(plan, "aws:ecs/service:Service");
    expect(consumer.options.dependsOn).toEqual(expect.arrayContaining([one(plan, RULE).urn, one(plan, TARGET_GROUP).urn]));
    expect(consumer.inputs.loadBalancers).toEqual([
      { targetGroupArn: "arn:aws:lb:eu-central-1:123456789012:api-tg", containerName: "api", containerPort: 8000 },
    ]);
  });

  it("exposes its host and https URL", () => {
    expect(route).toEqual({ host: "pr-123.staging.chatbot.example", url: "https://pr-123.staging.chatbot.example" });
  });

  it("refuses a target group name over AWS's 32 characters, naming the fix", async () => {
    await expect(render("chatbot-pr-123-feature-branch")).rejects.toThrow(
      "target group name chatbot-pr-123-feature-branch-api is longer than AWS's 32 characters: shorten the stack name",
    );
  });
});
