import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketName, hardenedBucket } from "../shared/hardenedBucket";
import { kmsKey } from "../shared/kmsKey";
import { AccessLogBucket } from "./accessLogBucket";

export interface BackupReplicaArgs {
  /** `<project>-<stack>`: key `alias/<namePrefix>-backup-replica`, role `<namePrefix>-backup-replication`. */
  namePrefix: string;
  /** The second region (the component's provider is in it); the source's region. */
  region: string;
  sourceRegion: string;
  /** The backup bucket: its id, ARN, key and versioning (replication needs it on first). */
  source: { bucket: pulumi.Input<string>; bucketArn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string>; versioning: pulumi.Resource };
  /** The source region's provider: the replication configuration belongs to the source bucket. */
  sourceProvider: pulumi.ProviderResource;
  /** As the backup bucket's, so a replica is as safe and as short-lived as the original. */
  retentionDays: number;
  noncurrentVersionDays: number;
  objectLock: "off" | "GOVERNANCE" | "COMPLIANCE";
  objectLockDays: number;
  forceDestroy: boolean;
  protect: boolean;
}

/**
 * Backups in a second region (prod): a bucket there with its own KMS key and object lock, its
 * own access-log bucket (logging must stay in-region), and S3 replication of every new backup
 * object from the backup bucket, re-encrypted with the replica's key. Deletes are not replicated
 * (no delete-marker replication): a delete in the primary never reaches the copy.
 */
export class BackupReplica extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: BackupReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:backup:BackupReplica", name, {}, opts);
    const child = { parent: this };
    const stateful = { parent: this, protect: args.protect, retainOnDelete: args.protect };
    const p = args.namePrefix;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const partition = aws.getPartitionOutput({}, child).partition;

    const key = kmsKey(`${name}-key`, { name: `${p}-backup-replica`, description: `Encrypts the second-region copy of ${p}'s backups (S3 SSE-KMS)` }, stateful);
    const physical = bucketName(p, "backups-replica", account, args.region);
    const replicaArn = pulumi.interpolate`arn:${partition}:s3:::${physical}`;
    const logs = new AccessLogBucket(
      `${name}-access-logs`,
      { bucket: bucketName(p, "s3-access-logs", account, args.region), sourceBucketArns: [replicaArn], forceDestroy: args.forceDestroy, protect: args.protect },
      child,
    );
    const { bucket, versioning } = hardenedBucket(
      {
        bucket: physical,
        childName: (part) => `${name}-${part}`,
        encryption: { kmsKeyArn: key.arn },
        expireDays: args.retentionDays,
        noncurrentDays: args.noncurrentVersionDays,
        lifecycleId: "expire-backups",
        removeExpiredDeleteMarkers: true,
        objectLock: args.objectLock === "off" ? "off" : { mode: args.objectLock, days: args.objectLockDays },
        accessLogs: { bucket: logs.bucketName, prefix: "backups-replica/" },
        forceDestroy: args.forceDestroy,
        tags: { Name: `${p}-backups-replica` },
        protect: args.protect,
      },
      child,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: `${p}-backup-replication`,
        description: "S3 replication of the backup bucket to its second-region copy, nothing else",
        assumeRolePolicy: account.apply((acct) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": acct } },
              },
            ],
          }),
        ),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-role`,
      {
        role: role.id,
        policy: pulumi.all([args.source.bucketArn, args.source.kmsKeyArn, bucket.arn, key.arn]).apply(([src, srcKey, dst, dstKey]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "ReadReplicationConfig", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: src },
              // Retention and legal hold are read so that a locked backup stays locked in the copy.
              {
                Sid: "ReadSourceVersions",
                Effect: "Allow",
                Resource: `${src}/*`,
                Action: [
                  "s3:GetObjectVersionForReplication",
                  "s3:GetObjectVersionAcl",
                  "s3:GetObjectVersionTagging",
                  "s3:GetObjectRetention",
                  "s3:GetObjectLegalHold",
                ],
              },
              { Sid: "WriteReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: `${dst}/*` },
              {
                Sid: "DecryptSource",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: srcKey,
                Condition: { StringEquals: { "kms:ViaService": `s3.${args.sourceRegion}.amazonaws.com` } },
              },
              {
                Sid: "EncryptReplica",
                Effect: "Allow",
                Action: ["kms:Encrypt", "kms:GenerateDataKey"],
                Resource: dstKey,
                Condition: { StringEquals: { "kms:ViaService": `s3.${args.region}.amazonaws.com` } },
              },
            ],
          }),
        ),
      },
      child,
    );

    new aws.s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: args.source.bucket,
        role: role.arn,
        rules: [
          {
            id: "backups-to-second-region",
            status: "Enabled",
            filter: {},
            deleteMarkerReplication: { status: "Disabled" },
            // The job writes with SSE-KMS only (bucket policy); without this, S3 skips such objects.
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: { bucket: bucket.arn, encryptionConfiguration: { replicaKmsKeyId: key.arn } },
          },
        ],
      },
      { parent: this, provider: args.sourceProvider, dependsOn: [args.source.versioning, versioning] },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
  }
}
