import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** AWS managed rule groups, cheapest and most decisive first. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;

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
  /**
   * Per-client limit: requests per value of this header (an API key, a user id) in 5 minutes.
   * Requests without the header are not counted by it; the per-IP limit still applies to them.
   */
  clientRateLimit?: { header: string; limit: number };
  /** Path prefixes the common rule set's 8 KB body limit does not apply to (chat messages). */
  largeBodyPaths: string[];
}

/** What an ALB's WAF inspects of a body, and the common rule set's SizeRestrictions_BODY limit. */
export const BODY_INSPECTION_BYTES = 8192;
const BODY_SIZE_RULE = "SizeRestrictions_BODY";

/**
 * Path matching on the decoded, normalised, lower-cased path: `/API/Chat`, `/api/%63hat` and
 * `/api//chat` are all `/api/chat` to the app's router, so they must be to the limit too.
 */
export const PATH_TRANSFORMS = ["URL_DECODE", "NORMALIZE_PATH", "LOWERCASE"] as const;

export function pathStartsWith(prefix: string) {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint: "STARTS_WITH",
      searchString: prefix.toLowerCase(),
      textTransformations: PATH_TRANSFORMS.map((type, priority) => ({ priority, type })),
    },
  };
}

/** One statement matching any of the prefixes (WAF's OR takes two or more). */
function anyPath(prefixes: string[]) {
  return prefixes.length === 1 ? pathStartsWith(prefixes[0]) : { orStatement: { statements: prefixes.map(pathStartsWith) } };
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/**
 * The WAFv2 web ACL in front of the API's load balancer: AWS managed rules (IP reputation, common
 * exploits, known bad inputs; the 8 KB body limit scoped away from the large-body paths), a per-IP
 * rate limit, stricter per-path ones on the normalised path, and a per-client one keyed on a
 * header, with metrics, sampled requests and a log group (credentials redacted).
 */
export class Waf extends pulumi.ComponentResource {
  readonly webAclArn: pulumi.Output<string>;
  readonly webAclName: pulumi.Output<string>;
  /** Log group of the request records (the WAF-blocks saved query reads it). */
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: WafArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:Waf", name, {}, opts);
    const child = { parent: this };
    const full = `${args.namePrefix}-${name}`;

    // The common rule set blocks any body over 8 KB. For the large-body paths its rule only counts,
    // and our own rule below blocks large bodies on every other path, so the limit stays in force there.
    const scopedBody = args.largeBodyPaths.length > 0;
    const managed = MANAGED_RULE_GROUPS.map((group, i) => ({
      name: group,
      priority: i,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: "AWS",
          name: group,
          ...(scopedBody && group === "AWSManagedRulesCommonRuleSet" ? { ruleActionOverrides: [{ name: BODY_SIZE_RULE, actionToUse: { count: {} } }] } : {}),
        },
      },
      visibilityConfig: visibility(`${full}-${group}`),
    }));
    const bodySize = scopedBody
      ? [
          {
            name: "body-size",
            priority: MANAGED_RULE_GROUPS.length,
            action: { block: {} },
            statement: {
              andStatement: {
                statements: [
                  // A body larger than WAF inspects counts as over the limit (MATCH), as in the managed rule.
                  {
                    sizeConstraintStatement: {
                      fieldToMatch: { body: { oversizeHandling: "MATCH" } },
                      comparisonOperator: "GT",
                      size: BODY_INSPECTION_BYTES,
                      textTransformations: [{ priority: 0, type: "NONE" }],
                    },
                  },
                  { notStatement: { statement: anyPath(args.largeBodyPaths) } },
                ],
              },
            },
            visibilityConfig: visibility(`${full}-body-size`),
          },
        ]
      : [];
    const rate = (ruleName: string, priority: number, limit: number, pathPrefix?: string, header?: string) => ({
      name: ruleName,
      priority,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit,
          evaluationWindowSec: 300,
          ...(header
            ? { aggregateKeyType: "CUSTOM_KEYS", customKeys: [{ header: { name: header, textTransformations: [{ priority: 0, type: "NONE" }] } }] }
            : { aggregateKeyType: "IP" }),
          ...(pathPrefix ? { scopeDownStatement: pathStartsWith(pathPrefix) } : {}),
        },
      },
      visibilityConfig: visibility(`${full}-${ruleName}`),
    });
    const client = args.clientRateLimit ? [rate("rate-per-client", 90, args.clientRateLimit.limit, undefined, args.clientRateLimit.header)] : [];
    // Per-path limits come before the general one; a request over either is blocked.
    const ruleName = (p: PathRateLimit) => `rate-${p.pathPrefix.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "") || "root"}`;
    // `/api/chat` and `/api-chat` make the same name; AWS refuses an ACL with two rules of one name.
    const prefixOf = new Map<string, string>();
    for (const p of args.pathRateLimits) {
      const rule = ruleName(p);
      const other = prefixOf.get(rule);
      if (other !== undefined) {
        throw new pulumi.RunError(
          `WAF path limits ${other} and ${p.pathPrefix} would both be rule ${rule}: rule names must be unique in a web ACL; merge them or change one prefix`,
        );
      }
      prefixOf.set(rule, p.pathPrefix);
    }
    const pathRules = args.pathRateLimits.map((p, i) => rate(ruleName(p), 10 + i, p.limit, p.pathPrefix));

    const acl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      {
        name: full,
        description: `Managed rules and rate limits in front of ${args.namePrefix}`,
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: [...managed, ...bodySize, ...pathRules, ...client, rate("rate-per-ip", 100, args.rateLimitPer5Min)],
        visibilityConfig: visibility(full),
        tags: { Name: full },
      },
      child,
    );
    new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: args.resourceArn, webAclArn: acl.arn }, child);

    // WAF requires the `aws-waf-logs-` prefix; it adds the log group's resource policy itself.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `aws-waf-logs-${full}`, retentionInDays: args.logRetentionDays }, child);
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: acl.arn,
        logDestinationConfigs: [logGroup.arn],
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      },
      child,
    );

    this.webAclArn = acl.arn;
    this.webAclName = acl.name;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ webAclArn: this.webAclArn, webAclName: this.webAclName });
  }
}
