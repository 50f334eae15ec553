import { effectiveTags, ofType, one, parseJsonInput, planFor } from "./support/plan";
import { ACCOUNT, mockState } from "../tools/plan/mockOutputs";
import type { LoadedStackConfig } from "../tools/plan/stackConfig";
import type { Plan } from "../tools/plan/types";

const TOPIC = "aws:sns/topic:Topic";
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"];

describe.each(["staging", "prod"])("alert topic of %s", (stack) => {
  let plan: Plan;
  let cfg: LoadedStackConfig;
  const c = (key: string) => cfg.config[`chatbot:${key}`];

  beforeAll(async () => {
    ({ plan, config: cfg } = await planFor(stack));
  });

  it("is the stack's one topic, exported as alertTopicArn", () => {
    const topic = one(plan, TOPIC);
    expect(topic.inputs.name).toBe(`chatbot-${stack}-alerts`);
    expect(plan.outputs.alertTopicArn).toBe(mockState(topic.type, topic.name, topic.inputs, c("region")).arn);
  });

  it("is encrypted with its own rotating KMS key, kept as the stack's config says", () => {
    const topic = one(plan, TOPIC);
    const key = one(plan, "aws:kms/key:Key", "alerts-key");
    expect(topic.inputs.kmsMasterKeyId).toBe(mockState(key.type, key.name, key.inputs, c("region")).arn);
    expect(topic.options.dependsOn).toContain(key.urn);
    expect(key.inputs.enableKeyRotation).toBe(true);
    const keep = c("protectStatefulResources") === "true";
    expect(key.options).toMatchObject({ protect: keep, retainOnDelete: keep });
  });

  it("lets CloudWatch and EventBridge use the key, next to the account's own administration", () => {
    const policy = parseJsonInput(one(plan, "aws:kms/key:Key", "alerts-key"), "policy");
    const services = policy.Statement.find((s: any) => s.Principal?.Service);
    expect(services.Principal.Service).toEqual(PUBLISHERS);
    expect(services.Action).toEqual(["kms:GenerateDataKey*", "kms:Decrypt"]);
    const root = policy.Statement.find((s: any) => s.Principal?.AWS);
    expect(root.Principal.AWS).toBe(`arn:aws:iam::${ACCOUNT}:root`);
    expect(policy.Statement).toHaveLength(2);
  });

  it("accepts publishes only from this account's CloudWatch alarms and EventBridge rules", () => {
    const topic = one(plan, TOPIC);
    const topicArn = mockState(topic.type, topic.name, topic.inputs, c("region")).arn;
    const tp = one(plan, "aws:sns/topicPolicy:TopicPolicy");
    expect(tp.inputs.arn).toBe(topicArn);
    const statements = parseJsonInput(tp, "policy").Statement;
    expect(statements).toEqual([
      {
        Sid: "AlarmPublishers",
        Effect: "Allow",
        Principal: { Service: PUBLISHERS },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ]);
  });

  it("e-mails the configured alert address", () => {
    const subs = ofType(plan, "aws:sns/topicSubscription:TopicSubscription");
    expect(subs).toHaveLength(1);
    expect(subs[0].inputs).toMatchObject({ protocol: "email", endpoint: c("alertEmail"), topic: plan.outputs.alertTopicArn });
  });

  it("is tagged as the monitoring part", () => {
    expect(effectiveTags(plan, one(plan, TOPIC))).toMatchObject({ project: "chatbot", stack, part: "monitoring", "managed-by": "pulumi" });
  });
});
