import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { kmsKey } from "../shared/kmsKey";

export interface AlertsArgs {
  /** `<project>-<stack>`; the topic is `<namePrefix>-alerts`. */
  namePrefix: string;
  /** Address subscribed to the topic (AWS sends it a confirmation link first). */
  email: string;
  /** `protect` + `retainOnDelete` on the topic's KMS key (from protectStatefulResources). */
  protect: boolean;
  /**
   * Optional HTTPS endpoint (chat or pager webhook) subscribed beside the e-mail. SNS first posts a
   * SubscriptionConfirmation the endpoint must confirm; until then nothing is delivered there.
   */
  webhookUrl?: string;
}

/** Services that publish to the topic: CloudWatch alarms and EventBridge rules (backup job failures). */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"];

/**
 * The alert SNS topic every alarm of the stack notifies: encrypted with its own KMS key, writable
 * only by this account's CloudWatch alarms and EventBridge rules, delivered by e-mail and, if
 * configured, to an HTTPS webhook (chat or pager).
 */
export class Alerts extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:Alerts", name, {}, opts);
    const child = { parent: this };
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const partition = aws.getPartitionOutput({}, child).partition;

    // The publishing service, not SNS, calls KMS: without these grants CloudWatch and EventBridge
    // fail silently to deliver to an encrypted topic.
    const keyPolicy = pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountAdministersKey",
          Effect: "Allow",
          Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
        { Sid: "AlarmPublishersUseKey", Effect: "Allow", Principal: { Service: PUBLISHERS }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" },
      ],
    });
    const key = kmsKey(
      `${name}-key`,
      { name: `${args.namePrefix}-alerts`, description: `${args.namePrefix}: encrypts the alert SNS topic`, policy: keyPolicy },
      { ...child, protect: args.protect, retainOnDelete: args.protect },
    );

    const topic = new aws.sns.Topic(
      `${name}-topic`,
      { name: `${args.namePrefix}-alerts`, kmsMasterKeyId: key.arn, tags: { Name: `${args.namePrefix}-alerts` } },
      child,
    );

    // Replaces the default policy: only this account's alarms and rules may publish (SourceAccount
    // stops another account's alarm from using our topic); account principals keep IAM access.
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AlarmPublishers",
              Effect: "Allow",
              Principal: { Service: PUBLISHERS },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { StringEquals: { "aws:SourceAccount": account } },
            },
          ],
        }),
      },
      child,
    );

    new aws.sns.TopicSubscription(`${name}-email`, { topic: topic.arn, protocol: "email", endpoint: args.email }, child);

    if (args.webhookUrl) {
      new aws.sns.TopicSubscription(
        `${name}-webhook`,
        {
          topic: topic.arn,
          protocol: "https",
          endpoint: args.webhookUrl,
          // Retried for an hour with backoff: a pager that is briefly down still gets the alarm.
          deliveryPolicy: JSON.stringify({ healthyRetryPolicy: { numRetries: 20, minDelayTarget: 5, maxDelayTarget: 300, backoffFunction: "exponential" } }),
        },
        child,
      );
    }

    this.topicArn = topic.arn;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({ topicArn: this.topicArn, kmsKeyArn: this.kmsKeyArn });
  }
}
