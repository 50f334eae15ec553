import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { kmsKey } from "../shared/kmsKey";

export interface BackupBucketArgs {
  /** `<project>-<stack>`: the bucket is `<namePrefix>-backups`, its key `alias/<namePrefix>-backup`. */
  namePrefix: string;
  /** Days a backup object is kept before the lifecycle expires it. */
  retentionDays: number;
  /** Days an overwritten or expired (noncurrent) version is kept before it is deleted for good. */
  noncurrentVersionDays: number;
  /** Object lock mode; "off" creates the bucket without object lock (it cannot be added later without AWS support). */
  objectLock: "off" | "GOVERNANCE" | "COMPLIANCE";
  /** Default retention of each new object version under object lock; <= retentionDays (config rule). */
  objectLockDays: number;
  /** Let `pulumi destroy` delete a non-empty bucket. Only for throwaway stacks. */
  forceDestroy: boolean;
  /** `protect` + `retainOnDelete` on the bucket and its key. */
  protect: boolean;
}

/** Deny, for everyone, whatever a statement lists, unless the condition is false. */
function deny(sid: string, action: string | string[], resource: string | string[], condition: Record<string, Record<string, unknown>>) {
  return { Sid: sid, Effect: "Deny", Principal: "*", Action: action, Resource: resource, Condition: condition };
}

/**
 * The bucket the backup job writes Postgres dumps and Chroma snapshots to: versioned, SSE-KMS
 * with its own rotating key, no public access and no ACLs, TLS only, expiring on the configured
 * retention, and (when configured) object-locked so that no one, the job included, can delete
 * or overwrite a backup before its lock runs out.
 */
export class BackupBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:backup:BackupBucket", name, {}, opts);
    const child = { parent: this };
    const stateful = { parent: this, protect: args.protect, retainOnDelete: args.protect };
    const locked = args.objectLock !== "off";

    const key = kmsKey(`${name}-key`, {
      name: `${args.namePrefix}-backup`,
      description: `Encrypts the backups of ${args.namePrefix} (S3 SSE-KMS)`,
    }, stateful);

    const bucket = new aws.s3.Bucket(`${name}-bucket`, {
      bucket: `${args.namePrefix}-backups`,
      // Object lock can only be turned on when the bucket is created.
      objectLockEnabled: locked,
      forceDestroy: args.forceDestroy,
      tags: { Name: `${args.namePrefix}-backups` },
    }, stateful);
    const ref = { bucket: bucket.id };

    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { ...ref, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
      ...ref, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    }, child);
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { ...ref, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      ...ref,
      // The bucket key caches a data key per bucket: far fewer KMS calls (and cost) per multipart upload.
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    }, child);

    new aws.s3.BucketPolicy(`${name}-policy`, {
      ...ref,
      policy: pulumi.all([bucket.arn, key.arn]).apply(([arn, keyArn]) => JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          deny("DenyInsecureTransport", "s3:*", [arn, `${arn}/*`], { Bool: { "aws:SecureTransport": "false" } }),
          // A plain StringNotEquals would also deny UploadPart, which carries no SSE header (it inherits
          // the one of CreateMultipartUpload), and so break the job's multipart dumps. So: deny an SSE
          // header other than aws:kms, deny another key, and let a header-less upload take the default
          // encryption above (this bucket's key).
          deny("DenyNonKmsEncryption", "s3:PutObject", `${arn}/*`, {
            StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
            Null: { "s3:x-amz-server-side-encryption": "false" },
          }),
          deny("DenyOtherKmsKeys", "s3:PutObject", `${arn}/*`, {
            StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
          }),
        ],
      })),
    }, { ...child, dependsOn: [publicAccess] });

    new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
      ...ref,
      rules: [
        {
          id: "expire-backups",
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { days: args.retentionDays },
          noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
        {
          // AWS rejects expiredObjectDeleteMarker in a rule that also expires by days: its own rule.
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { expiredObjectDeleteMarker: true },
        },
      ],
    }, { ...child, dependsOn: [versioning] });

    if (locked) {
      new aws.s3.BucketObjectLockConfiguration(`${name}-object-lock`, {
        ...ref,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: args.objectLock, days: args.objectLockDays } },
      }, { ...child, dependsOn: [versioning] });
    }

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
  }
}
