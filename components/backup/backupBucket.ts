import * as pulumi from "@pulumi/pulumi";
import { denyUnless, hardenedBucket } from "../shared/hardenedBucket";
import { kmsKey } from "../shared/kmsKey";

export interface BackupBucketArgs {
  /** `<project>-<stack>`: the key is `alias/<namePrefix>-backup`. */
  namePrefix: string;
  /** Physical name (bucketName(): `<namePrefix>-backups-<account>-<region>`); fixed once created. */
  bucket: pulumi.Input<string>;
  /** Days a backup object is kept before the lifecycle expires it. */
  retentionDays: number;
  /** Days an overwritten or expired (noncurrent) version is kept before it is deleted for good. */
  noncurrentVersionDays: number;
  /** Object lock mode; "off" creates the bucket without object lock (it cannot be added later without AWS support). */
  objectLock: "off" | "GOVERNANCE" | "COMPLIANCE";
  /** Default retention of each new object version under object lock; <= retentionDays (config rule). */
  objectLockDays: number;
  /** Server access logs go to this bucket (same region), under `backups/`. */
  accessLogBucket: pulumi.Input<string>;
  /** Let `pulumi destroy` delete a non-empty bucket. Only for throwaway stacks. */
  forceDestroy: boolean;
  /** `protect` + `retainOnDelete` on the bucket and its key. */
  protect: boolean;
}

/**
 * The bucket the backup job writes Postgres dumps and Chroma snapshots to: versioned, SSE-KMS
 * with its own rotating key, no public access and no ACLs, TLS only, expiring on the configured
 * retention, access-logged, and (when configured) object-locked so that no one, the job
 * included, can delete or overwrite a backup before its lock runs out.
 */
export class BackupBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** The bucket's versioning: replication needs it on first. */
  readonly versioning: pulumi.Resource;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:backup:BackupBucket", name, {}, opts);
    const stateful = { parent: this, protect: args.protect, retainOnDelete: args.protect };

    const key = kmsKey(`${name}-key`, { name: `${args.namePrefix}-backup`, description: `Encrypts the backups of ${args.namePrefix} (S3 SSE-KMS)` }, stateful);

    const { bucket, versioning } = hardenedBucket(
      {
        bucket: args.bucket,
        childName: (part) => `${name}-${part}`,
        encryption: { kmsKeyArn: key.arn },
        expireDays: args.retentionDays,
        noncurrentDays: args.noncurrentVersionDays,
        lifecycleId: "expire-backups",
        removeExpiredDeleteMarkers: true,
        objectLock: args.objectLock === "off" ? "off" : { mode: args.objectLock, days: args.objectLockDays },
        accessLogs: { bucket: args.accessLogBucket, prefix: "backups/" },
        forceDestroy: args.forceDestroy,
        tags: { Name: `${args.namePrefix}-backups` },
        protect: args.protect,
        policyStatements: (arn) =>
          key.arn.apply((keyArn) => [
            // A plain StringNotEquals would also deny UploadPart, which carries no SSE header (it inherits
            // the one of CreateMultipartUpload), and so break the job's multipart dumps. So: deny an SSE
            // header other than aws:kms, deny another key, and let a header-less upload take the default
            // encryption (this bucket's key).
            denyUnless("DenyNonKmsEncryption", "s3:PutObject", `${arn}/*`, {
              StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
              Null: { "s3:x-amz-server-side-encryption": "false" },
            }),
            denyUnless("DenyOtherKmsKeys", "s3:PutObject", `${arn}/*`, {
              StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
            }),
          ]),
      },
      { parent: this },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
    this.versioning = versioning;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
  }
}
