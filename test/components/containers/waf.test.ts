/** The web ACL alone: managed rules, per-IP, per-path and per-client rate limits, the body limit scoped, on its load balancer, logged with credentials redacted. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const ACL = "aws:wafv2/webAcl:WebAcl";
const ALB_ARN = "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/chatbot-test-api/0123456789abcdef";

const render = (over: Record<string, unknown>) =>
  renderComponent(() => {
    const { Waf, parsePathRateLimits } = load<typeof import("../../../components/containers/waf")>("components/containers/waf");
    new Waf("waf", {
      namePrefix: "chatbot-test",
      resourceArn: ALB_ARN,
      rateLimitPer5Min: 1000,
      pathRateLimits: parsePathRateLimits(["/api/chat=300", "/api/auth=100"]),
      logRetentionDays: 14,
      largeBodyPaths: [],
      ...over,
    });
  });

const rules = (plan: Plan) => one(plan, ACL).inputs.rules as any[];
const rule = (plan: Plan, name: string) => rules(plan).find((r) => r.name === name);

describe("Waf", () => {
  let plan: Plan;
  let bare: Plan;
  beforeAll(async () => {
    plan = await render({ clientRateLimit: { header: "authorization", limit: 500 }, largeBodyPaths: ["/api/chat"] });
    bare = await render({ pathRateLimits: [] });
  });

  it("owns the web ACL, its association, a log group and the logging configuration", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:containers:Waf": 1,
      [ACL]: 1,
      "aws:wafv2/webAclAssociation:WebAclAssociation": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": 1,
    });
  });

  it("is a regional ACL on the given load balancer that allows what no rule blocks", () => {
    expect(one(plan, ACL).inputs).toMatchObject({ name: "chatbot-test-waf", scope: "REGIONAL", defaultAction: { allow: {} } });
    expect(one(plan, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs).toEqual({
      resourceArn: ALB_ARN,
      webAclArn: "arn:aws:wafv2:eu-central-1:123456789012:waf-acl",
    });
  });

  it("evaluates the AWS managed groups first, IP reputation first, leaving their own actions in force", () => {
    const managed = rules(bare).filter((r) => r.statement.managedRuleGroupStatement);
    expect(managed.map((r) => [r.priority, r.statement.managedRuleGroupStatement.vendorName, r.name])).toEqual([
      [0, "AWS", "AWSManagedRulesAmazonIpReputationList"],
      [1, "AWS", "AWSManagedRulesCommonRuleSet"],
      [2, "AWS", "AWSManagedRulesKnownBadInputsRuleSet"],
    ]);
    for (const r of managed) expect(r.overrideAction).toEqual({ none: {} });
    expect(Math.max(...managed.map((r) => r.priority))).toBeLessThan(
      Math.min(
        ...rules(bare)
          .filter((r) => r.action)
          .map((r) => r.priority),
      ),
    );
  });

  it("blocks an IP over the general limit last, after stricter per-path limits on the normalised path", () => {
    // WAF evaluates by priority, not by the array's order.
    expect([...rules(plan)].sort((a, b) => a.priority - b.priority).map((r) => r.name)).toEqual([
      "AWSManagedRulesAmazonIpReputationList",
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
      "body-size",
      "rate-api-chat",
      "rate-api-auth",
      "rate-per-client",
      "rate-per-ip",
    ]);
    expect(rule(plan, "rate-per-ip")).toMatchObject({
      priority: 100,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: 1000, evaluationWindowSec: 300, aggregateKeyType: "IP" } },
    });
    expect(rule(plan, "rate-per-ip").statement.rateBasedStatement.scopeDownStatement).toBeUndefined();
    const chat = rule(plan, "rate-api-chat");
    expect(chat).toMatchObject({ action: { block: {} }, statement: { rateBasedStatement: { limit: 300, aggregateKeyType: "IP" } } });
    expect(chat.statement.rateBasedStatement.scopeDownStatement.byteMatchStatement).toEqual({
      fieldToMatch: { uriPath: {} },
      positionalConstraint: "STARTS_WITH",
      searchString: "/api/chat",
      textTransformations: [
        { priority: 0, type: "URL_DECODE" },
        { priority: 1, type: "NORMALIZE_PATH" },
        { priority: 2, type: "LOWERCASE" },
      ],
    });
    expect(new Set(rules(plan).map((r) => r.priority)).size).toBe(rules(plan).length);
  });

  it("refuses two path limits that would make rules of the same name (AWS wants them unique in an ACL)", async () => {
    await expect(
      render({
        pathRateLimits: [
          { pathPrefix: "/api/chat", limit: 300 },
          { pathPrefix: "/api-chat", limit: 50 },
        ],
      }),
    ).rejects.toThrow(
      "WAF path limits /api/chat and /api-chat would both be rule rate-api-chat: rule names must be unique in a web ACL; merge them or change one prefix",
    );
  });

  it("limits each value of the client header when asked, and not otherwise", () => {
    expect(rule(plan, "rate-per-client").statement.rateBasedStatement).toEqual({
      limit: 500,
      evaluationWindowSec: 300,
      aggregateKeyType: "CUSTOM_KEYS",
      customKeys: [{ header: { name: "authorization", textTransformations: [{ priority: 0, type: "NONE" }] } }],
    });
    expect(rule(bare, "rate-per-client")).toBeUndefined();
  });

  it("with large-body paths, only counts the managed 8 KB body rule and blocks large bodies on every other path", () => {
    expect(rule(plan, "AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides).toEqual([
      { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
    ]);
    const body = rule(plan, "body-size");
    expect(body.action).toEqual({ block: {} });
    const [size, other] = body.statement.andStatement.statements;
    expect(size.sizeConstraintStatement).toMatchObject({ comparisonOperator: "GT", size: 8192, fieldToMatch: { body: { oversizeHandling: "MATCH" } } });
    expect(other.notStatement.statement.byteMatchStatement).toMatchObject({ searchString: "/api/chat", positionalConstraint: "STARTS_WITH" });
    // Without them, the managed rule blocks as AWS ships it and there is no rule of ours.
    expect(rule(bare, "AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement.ruleActionOverrides).toBeUndefined();
    expect(rule(bare, "body-size")).toBeUndefined();
  });

  it("keeps metrics and sampled requests on the ACL and every rule", () => {
    expect(one(plan, ACL).inputs.visibilityConfig).toEqual({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "chatbot-test-waf" });
    for (const r of rules(plan)) {
      expect(r.visibilityConfig).toEqual({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `chatbot-test-waf-${r.name}` });
    }
  });

  it("logs requests to an aws-waf-logs- group for the given days, the authorization and cookie headers redacted", () => {
    expect(one(plan, "aws:cloudwatch/logGroup:LogGroup").inputs).toEqual({ name: "aws-waf-logs-chatbot-test-waf", retentionInDays: 14 });
    expect(one(plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs).toEqual({
      resourceArn: "arn:aws:wafv2:eu-central-1:123456789012:waf-acl",
      logDestinationConfigs: ["arn:aws:cloudwatch:eu-central-1:123456789012:waf-logs"],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    });
  });
});
