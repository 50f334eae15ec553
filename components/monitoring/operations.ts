import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface OperationsArgs {
  /** `<project>-<stack>`; saved queries sit in the folder `<namePrefix>/`, the budget is `<namePrefix>-monthly`. */
  namePrefix: string;
  /** Stack name: the budget counts the costs tagged `stack=<stack>`. */
  stack: string;
  /** Log group of each long-running service, by its short name (`api`, `telegram-bot`, `chroma`). */
  serviceLogGroups: Record<string, pulumi.Input<string>>;
  /** The WAF's log group (request records). */
  wafLogGroup: pulumi.Input<string>;
  /** A request slower than this (ms) is "slow": the API's latency alarm threshold. */
  slowRequestMs: number;
  /** Monthly budget in USD; 0 creates none. */
  budgetMonthlyUsd: number;
  /** Who hears about the budget (validated non-empty when there is a budget). */
  budgetAlertEmails: string[];
}

/** Saved Logs Insights queries: what on-call runs first, one click from the console (and the runbooks). */
export function savedQueries(slowRequestMs: number): Record<string, string> {
  return {
    errors: [
      "fields @timestamp, @logStream, @message",
      "| filter @message like /(?i)(error|exception|traceback|fatal)/",
      "| sort @timestamp desc",
      "| limit 200",
    ].join("\n"),
    // The app logs one JSON line per request with `duration_ms` (README, "What the app images must provide").
    "slow-requests": [
      "fields @timestamp, method, path, status, duration_ms",
      `| filter duration_ms > ${slowRequestMs}`,
      "| sort duration_ms desc",
      "| limit 200",
    ].join("\n"),
  };
}

export const WAF_BLOCKS_QUERY = [
  "fields @timestamp, httpRequest.clientIp, httpRequest.uri, terminatingRuleId",
  '| filter action = "BLOCK"',
  "| stats count(*) as blocked by terminatingRuleId, httpRequest.clientIp",
  "| sort blocked desc",
  "| limit 100",
].join("\n");

/**
 * Day-2 tooling of a stack: saved CloudWatch Logs Insights queries per service (errors, slow
 * requests) and for the WAF (blocked requests by rule and client), and a monthly AWS Budgets
 * budget over the stack's tagged costs that e-mails at 80% actual and 100% forecast spend.
 */
export class Operations extends pulumi.ComponentResource {
  readonly queryNames: string[] = [];

  constructor(name: string, args: OperationsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:Operations", name, {}, opts);
    const child = { parent: this };
    const query = (id: string, queryName: string, logGroup: pulumi.Input<string>, queryString: string) => {
      new aws.cloudwatch.QueryDefinition(`${name}-${id}`, { name: queryName, logGroupNames: [logGroup], queryString }, child);
      this.queryNames.push(queryName);
    };
    for (const [service, logGroup] of Object.entries(args.serviceLogGroups)) {
      for (const [kind, q] of Object.entries(savedQueries(args.slowRequestMs))) {
        // Chroma and the bots serve no HTTP requests of their own: errors only.
        if (kind === "slow-requests" && service !== "api") continue;
        query(`${service}-${kind}`, `${args.namePrefix}/${service}/${kind}`, logGroup, q);
      }
    }
    query("waf-blocks", `${args.namePrefix}/waf/blocks`, args.wafLogGroup, WAF_BLOCKS_QUERY);

    if (args.budgetMonthlyUsd > 0) {
      const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
        comparisonOperator: "GREATER_THAN",
        notificationType,
        threshold,
        thresholdType: "PERCENTAGE",
        subscriberEmailAddresses: args.budgetAlertEmails,
      });
      new aws.budgets.Budget(
        `${name}-budget`,
        {
          name: `${args.namePrefix}-monthly`,
          budgetType: "COST",
          limitAmount: args.budgetMonthlyUsd.toFixed(2),
          limitUnit: "USD",
          timeUnit: "MONTHLY",
          // The provider's default tags put `stack` on every resource; it must be an active cost allocation tag.
          costFilters: [{ name: "TagKeyValue", values: [`user:stack$${args.stack}`] }],
          notifications: [notify("ACTUAL", 80), notify("FORECASTED", 100)],
        },
        child,
      );
    }
    this.registerOutputs({ queryNames: this.queryNames });
  }
}
