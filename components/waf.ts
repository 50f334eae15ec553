import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** AWS managed rule groups, cheapest and most decisive first. */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

/** A stricter limit on requests whose path starts with `pathPrefix`. */
export interface PathRateLimit {
  pathPrefix: string;
  /** Requests one IP may make to the prefix in 5 minutes. */
  limit: number;
}

/** Parses config entries `/path=limit`. */
export function parsePathRateLimits(entries: string[]): PathRateLimit[] {
  return entries.map((e) => {
    const i = e.lastIndexOf("=");
    return { pathPrefix: e.slice(0, i), limit: Number(e.slice(i + 1)) };
  });
}

export interface WafArgs {
  /** `<project>-<stack>`; the web ACL is `<namePrefix>-<name>`. */
  namePrefix: string;
  /** ARN of the load balancer the web ACL protects. */
  resourceArn: pulumi.Input<string>;
  /** Requests one IP may make in 5 minutes, all paths together, before it is blocked. */
  rateLimitPer5Min: number;
  /** Stricter per-path limits (chat, auth), each its own rate-based rule. */
  pathRateLimits: PathRateLimit[];
  /** Days the WAF log group keeps blocked/allowed request records. */
  logRetentionDays: number;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * The WAFv2 web ACL in front of the API's load balancer: AWS managed rules (IP reputation, common
 * exploits, known bad inputs), a per-IP rate limit and stricter per-path ones, with metrics,
 * sampled requests and a log group (credentials redacted).
 */
export class Waf extends pulumi.ComponentResource {
  readonly webAclArn: pulumi.Output<string>;
  readonly webAclName: pulumi.Output<string>;

  constructor(name: string, args: WafArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:Waf", name, {}, opts);
    const child = { parent: this };
    const full = `${args.namePrefix}-${name}`;

    const managed = MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: i,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${full}-${group}`),
    }));
    const rate = (ruleName: string, priority: number, limit: number, pathPrefix?: string) => ({
      name: ruleName,
      priority,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit, aggregateKeyType: "IP", evaluationWindowSec: 300,
          ...(pathPrefix
            ? {
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH", searchString: pathPrefix,
                  textTransformations: [{ priority: 0, type: "NONE" }],
                },
              },
            }
            : {}),
        },
      },
      visibilityConfig: visibility(`${full}-${ruleName}`),
    });
    // Per-path limits come before the general one; a request over either is blocked.
    const pathRules = args.pathRateLimits.map((p, i) =>
      rate(`rate-${p.pathPrefix.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "root"}`, 10 + i, p.limit, p.pathPrefix));

    const acl = new aws.wafv2.WebAcl(`${name}-acl`, {
      name: full,
      description: `Managed rules and rate limits in front of ${args.namePrefix}`,
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rules: [...managed, ...pathRules, rate("rate-per-ip", 100, args.rateLimitPer5Min)],
      visibilityConfig: visibility(full),
      tags: { Name: full },
    }, child);
    new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: args.resourceArn, webAclArn: acl.arn }, child);

    // WAF requires the `aws-waf-logs-` prefix; it adds the log group's resource policy itself.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `aws-waf-logs-${full}`, retentionInDays: args.logRetentionDays,
    }, child);
    new aws.wafv2.WebAclLoggingConfiguration(`${name}-logging`, {
      resourceArn: acl.arn,
      logDestinationConfigs: [logGroup.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    }, child);

    this.webAclArn = acl.arn;
    this.webAclName = acl.name;
    this.registerOutputs({ webAclArn: this.webAclArn, webAclName: this.webAclName });
  }
}
