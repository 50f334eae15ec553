import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement } from "./policyStatement";

/** The resources a hardened bucket is made of; `childName` names each (existing buckets keep their URNs). */
export type BucketPart = "bucket" | "ownership" | "public-access" | "versioning" | "encryption" | "policy" | "lifecycle" | "object-lock" | "logging";

export interface HardenedBucketArgs {
  /** Physical name: globally unique and, once created, fixed (see bucketName()). */
  bucket: pulumi.Input<string>;
  /** The Pulumi name of each part, e.g. `(p) => \`backup-bucket-${p}\``. */
  childName: (part: BucketPart) => string;
  /**
   * Default encryption: SSE-KMS with this key (and the bucket key), or SSE-S3 (`"AES256"`) where
   * the writer supports nothing else: S3 server access logs and ALB access logs.
   */
  encryption: { kmsKeyArn: pulumi.Input<string> } | "AES256";
  /** Days a current object is kept; noncurrent versions go `noncurrentDays` after they stop being current. */
  expireDays: number;
  noncurrentDays: number;
  /** Lifecycle rule id of the expiry (existing buckets keep theirs). */
  lifecycleId: string;
  /** Also remove delete markers left without versions (their own rule: AWS refuses them beside days). */
  removeExpiredDeleteMarkers?: boolean;
  /**
   * Object lock, which can only be turned on at creation. "off" declares it off (objectLockEnabled
   * false, as the backup bucket always has); omitted, the argument is not set at all.
   */
  objectLock?: { mode: "GOVERNANCE" | "COMPLIANCE"; days: number } | "off";
  /** Statements added to the TLS-only deny (who may write: log delivery, replication). */
  policyStatements?: (bucketArn: string) => pulumi.Input<Record<string, unknown>[]>;
  /** Server access logging to this bucket and prefix (same region, SSE-S3); omitted, none. */
  accessLogs?: { bucket: pulumi.Input<string>; prefix: string };
  forceDestroy: boolean;
  tags?: Record<string, string>;
  /** protect + retainOnDelete on the bucket itself. */
  protect: boolean;
}

export interface HardenedBucket {
  bucket: aws.s3.Bucket;
  versioning: aws.s3.BucketVersioning;
  policy: aws.s3.BucketPolicy;
}

/**
 * One S3 bucket the way every bucket here is built: ACLs off (BucketOwnerEnforced), all public
 * access blocked, versioned, encrypted by default, TLS-only, expiring by lifecycle, optionally
 * object-locked and access-logged. The resources are children of `opts.parent` (no component of
 * its own), so buckets that existed before the helper keep their URNs.
 */
export function hardenedBucket(args: HardenedBucketArgs, opts: pulumi.CustomResourceOptions): HardenedBucket {
  const n = args.childName;
  const child = { ...opts, protect: undefined, retainOnDelete: undefined };
  const bucket = new aws.s3.Bucket(
    n("bucket"),
    {
      bucket: args.bucket,
      // Object lock can only be turned on when the bucket is created.
      objectLockEnabled: args.objectLock === undefined ? undefined : args.objectLock !== "off",
      forceDestroy: args.forceDestroy,
      tags: args.tags,
    },
    { ...opts, protect: args.protect, retainOnDelete: args.protect },
  );
  const ref = { bucket: bucket.id };

  new aws.s3.BucketOwnershipControls(n("ownership"), { ...ref, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    n("public-access"),
    { ...ref, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    child,
  );
  const versioning = new aws.s3.BucketVersioning(n("versioning"), { ...ref, versioningConfiguration: { status: "Enabled" } }, child);
  const enc = args.encryption;
  new aws.s3.BucketServerSideEncryptionConfiguration(
    n("encryption"),
    {
      ...ref,
      rules: [
        enc === "AES256"
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
          : // The bucket key caches a data key per bucket: far fewer KMS calls (and cost) per multipart upload.
            { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: enc.kmsKeyArn }, bucketKeyEnabled: true },
      ],
    },
    child,
  );

  const policy = new aws.s3.BucketPolicy(
    n("policy"),
    {
      ...ref,
      policy: bucket.arn.apply((arn) =>
        pulumi
          .output(args.policyStatements?.(arn) ?? [])
          .apply((extra) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Sid: "DenyInsecureTransport",
                  Effect: "Deny",
                  Principal: "*",
                  Action: "s3:*",
                  Resource: [arn, `${arn}/*`],
                  Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
                ...extra,
              ],
            }),
          ),
      ),
    },
    { ...child, dependsOn: [publicAccess] },
  );

  new aws.s3.BucketLifecycleConfiguration(
    n("lifecycle"),
    {
      ...ref,
      rules: [
        {
          id: args.lifecycleId,
          status: "Enabled",
          filter: { prefix: "" },
          expiration: { days: args.expireDays },
          noncurrentVersionExpiration: { noncurrentDays: args.noncurrentDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
        ...(args.removeExpiredDeleteMarkers
          ? [{ id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } }]
          : []),
      ],
    },
    { ...child, dependsOn: [versioning] },
  );

  const lock = args.objectLock;
  if (lock && lock !== "off") {
    new aws.s3.BucketObjectLockConfiguration(
      n("object-lock"),
      { ...ref, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: lock.mode, days: lock.days } } },
      { ...child, dependsOn: [versioning] },
    );
  }
  if (args.accessLogs) {
    new aws.s3.BucketLogging(n("logging"), { ...ref, targetBucket: args.accessLogs.bucket, targetPrefix: args.accessLogs.prefix }, child);
  }
  return { bucket, versioning, policy };
}

/** Deny, for everyone, whatever a statement lists, unless the condition is false. */
export function denyUnless(
  sid: string,
  action: string | string[],
  resource: string | string[],
  condition: PolicyStatement["Condition"],
): Record<string, unknown> {
  return { Sid: sid, Effect: "Deny", Principal: "*", Action: action, Resource: resource, Condition: condition };
}

/**
 * A bucket name that is globally unique and stable: `<namePrefix>-<purpose>-<account>-<region>`.
 * S3 names are global, so the account id keeps another account from holding ours, and the
 * region keeps a second-region bucket of the same stack apart. A bucket cannot be renamed:
 * a new name is a new bucket (and an object-locked one cannot be emptied), so this is fixed at
 * the first deploy. Checked against S3's naming rules by the offline provider (constraints.ts).
 */
export function bucketName(namePrefix: string, purpose: string, account: pulumi.Input<string>, region: string): pulumi.Output<string> {
  return pulumi.interpolate`${namePrefix}-${purpose}-${account}-${region}`;
}
