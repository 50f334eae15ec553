/** The alert topic alone: encrypted with its own key, published to only by this account's alarms and rules, delivered by e-mail and webhook. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, ofType, parseJsonInput } from "../../support/plan";
import { ACCOUNT, mockState } from "../../../tools/plan/mockOutputs";
import type { Plan, PlanResource } from "../../../tools/plan/types";

const KEY = "aws:kms/key:Key";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"];

const render = (over: Record<string, unknown> = {}) =>
  renderComponent(() => {
    const { Alerts } = load<typeof import("../../../components/monitoring/alerts")>("components/monitoring/alerts");
    new Alerts("alerts", { namePrefix: "chatbot-test", email: "oncall@example.com", protect: true, ...over });
  });

describe("Alerts", () => {
  let plan: Plan;
  const arnOf = (r: PlanResource) => mockState(r.type, r.name, r.inputs, "eu-central-1").arn;
  beforeAll(async () => {
    plan = await render();
  });

  it("owns a key and its alias, the topic, its policy and one e-mail subscription", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:monitoring:Alerts": 1,
      [KEY]: 1,
      "aws:kms/alias:Alias": 1,
      [TOPIC]: 1,
      "aws:sns/topicPolicy:TopicPolicy": 1,
      [SUBSCRIPTION]: 1,
    });
    expect(one(plan, TOPIC).inputs).toMatchObject({ name: "chatbot-test-alerts", tags: { Name: "chatbot-test-alerts" } });
    expect(one(plan, "aws:kms/alias:Alias").inputs.name).toBe("alias/chatbot-test-alerts");
  });

  it("encrypts the topic with its own rotating key", () => {
    const key = one(plan, KEY);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(one(plan, TOPIC).inputs.kmsMasterKeyId).toBe(arnOf(key));
  });

  it("lets the publishing services use the key beside the account's own administration, and no one else", () => {
    expect(parseJsonInput(one(plan, KEY), "policy").Statement).toEqual([
      { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "AlarmPublishersUseKey", Effect: "Allow", Principal: { Service: PUBLISHERS }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" },
    ]);
  });

  it("replaces the topic's policy: only this account's CloudWatch alarms and EventBridge rules may publish", () => {
    const topicArn = arnOf(one(plan, TOPIC));
    const policy = one(plan, "aws:sns/topicPolicy:TopicPolicy");
    expect(policy.inputs.arn).toBe(topicArn);
    expect(parseJsonInput(policy, "policy").Statement).toEqual([
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

  it("e-mails the given address, and posts to no webhook unless given one", () => {
    expect(ofType(plan, SUBSCRIPTION).map((s) => s.inputs)).toEqual([{ topic: arnOf(one(plan, TOPIC)), protocol: "email", endpoint: "oncall@example.com" }]);
  });

  it("posts to a webhook over HTTPS when given one, retried with backoff for about an hour", async () => {
    const withHook = await render({ webhookUrl: "https://hooks.example.com/alerts" });
    const hook = one(withHook, SUBSCRIPTION, "alerts-webhook");
    expect(hook.inputs).toMatchObject({ protocol: "https", endpoint: "https://hooks.example.com/alerts" });
    const retry = parseJsonInput(hook, "deliveryPolicy").healthyRetryPolicy;
    expect(retry).toEqual({ numRetries: 20, minDelayTarget: 5, maxDelayTarget: 300, backoffFunction: "exponential" });
    expect(ofType(withHook, SUBSCRIPTION)).toHaveLength(2);
  });

  it("protects and retains the key when asked, never the alias or the topic", async () => {
    expect(one(plan, KEY).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, "aws:kms/alias:Alias").options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(one(plan, TOPIC).options.protect).toBe(false);
    const throwaway = await render({ protect: false });
    expect(one(throwaway, KEY).options).toMatchObject({ protect: false, retainOnDelete: false });
  });
});
