import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { runbookLink } from "../shared/runbooks";

export interface ImageFindingsArgs {
  /** `<project>-<stack>`: the stack's ECR repositories are named `<namePrefix>-<image>`. */
  namePrefix: string;
  /** The stack's alert topic (its policy lets EventBridge publish: components/monitoring/alerts.ts). */
  topicArn: pulumi.Input<string>;
  runbookBaseUrl?: string;
}

/** Inspector severities that page: the policy in README ("Vulnerability gates"). */
export const PAGED_SEVERITIES = ["CRITICAL", "HIGH"];

/**
 * Amazon Inspector's enhanced scanning (enabled for the registry by the bootstrap stack) reports
 * each finding as an EventBridge event; an active critical or high finding in one of this stack's
 * repositories reaches the alert topic like an alarm, with its runbook.
 */
export class ImageFindings extends pulumi.ComponentResource {
  readonly ruleName: pulumi.Output<string>;

  constructor(name: string, args: ImageFindingsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:ImageFindings", name, {}, opts);
    const child = { parent: this };
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        name: `${args.namePrefix}-image-findings`,
        description: `Active ${PAGED_SEVERITIES.join(" or ").toLowerCase()} Inspector findings in the ${args.namePrefix}-* image repositories`,
        eventPattern: JSON.stringify({
          source: ["aws.inspector2"],
          "detail-type": ["Inspector2 Finding"],
          detail: {
            severity: PAGED_SEVERITIES,
            status: ["ACTIVE"],
            resources: { details: { awsEcrContainerImage: { repositoryName: [{ prefix: `${args.namePrefix}-` }] } } },
          },
        }),
      },
      child,
    );
    const runbook = runbookLink(args.runbookBaseUrl ?? "", "image-vulnerability");
    new aws.cloudwatch.EventTarget(
      `${name}-alert`,
      {
        rule: rule.name,
        arn: args.topicArn,
        inputTransformer: {
          inputPaths: {
            severity: "$.detail.severity",
            title: "$.detail.title",
            repository: "$.detail.resources[0].details.awsEcrContainerImage.repositoryName",
            tags: "$.detail.resources[0].details.awsEcrContainerImage.imageTags",
          },
          inputTemplate: `"<severity> vulnerability in image <repository> <tags>: <title>. Runbook: ${runbook}"`,
        },
      },
      child,
    );
    this.ruleName = rule.name;
    this.registerOutputs({ ruleName: this.ruleName });
  }
}
