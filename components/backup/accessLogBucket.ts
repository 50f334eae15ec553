import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hardenedBucket } from "../shared/hardenedBucket";

/**
 * Access logs are audit evidence (who read or tried to delete a backup): kept a year, longer
 * than any backup, whatever the stack's backup retention.
 */
const ACCESS_LOG_DAYS = 365;

export interface AccessLogBucketArgs {
  /** Physical name (bucketName(): `<namePrefix>-s3-access-logs-<account>-<region>`). */
  bucket: pulumi.Input<string>;
  /** Buckets that log here (same account and region): only their deliveries are accepted. */
  sourceBucketArns: pulumi.Input<string>[];
  forceDestroy: boolean;
  protect: boolean;
}

/**
 * The target of S3 server access logging for the buckets that hold backups (AWS FSBP S3.9): the
 * hardened bucket with SSE-S3 (log delivery writes no SSE-KMS), written only by S3's logging
 * service for the listed source buckets of this account, and not logged itself (that would loop).
 */
export class AccessLogBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: AccessLogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:backup:AccessLogBucket", name, {}, opts);
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const { bucket } = hardenedBucket(
      {
        bucket: args.bucket,
        childName: (part) => `${name}-${part}`,
        encryption: "AES256",
        expireDays: ACCESS_LOG_DAYS,
        noncurrentDays: 1,
        lifecycleId: "expire-access-logs",
        forceDestroy: args.forceDestroy,
        protect: args.protect,
        policyStatements: (arn) =>
          pulumi
            .all([account, ...args.sourceBucketArns])
            .apply(([acct, ...sources]) => [
              {
                Sid: "S3ServerAccessLogs",
                Effect: "Allow",
                Principal: { Service: "logging.s3.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${arn}/*`,
                Condition: { ArnLike: { "aws:SourceArn": sources }, StringEquals: { "aws:SourceAccount": acct } },
              },
            ]),
      },
      { parent: this },
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
