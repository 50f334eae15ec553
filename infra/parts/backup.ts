import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessLogBucket } from "../../components/backup/accessLogBucket";
import { BackupBucket } from "../../components/backup/backupBucket";
import { BackupReplica } from "../../components/backup/backupReplica";
import { BackupSchedule } from "../../components/backup/backupSchedule";
import { BackupBounds } from "../../components/backup/jobEnvironment";
import { RestoreDrill } from "../../components/backup/restoreDrill";
import { Database, RDS_CA_BUNDLE } from "../../components/data/database";
import { VectorStore } from "../../components/data/vectorStore";
import { Images } from "../../components/images/images";
import { Sentry } from "../../components/monitoring/sentry";
import { Network } from "../../components/network/network";
import { bucketName } from "../../components/shared/hardenedBucket";
import { StackConfig } from "../config";
import { partProvider } from "../providers";

export interface BackupInputs {
  network: Network;
  clusterArn: pulumi.Output<string>;
  images: Images;
  database: Database;
  vectorStore: VectorStore;
  sentry: Sentry;
  alertTopicArn: pulumi.Output<string>;
}

/** The bucket (and its second-region copy), the access logs, the job's schedules, the restore drill, failure alerts. */
export function backupPart(cfg: StackConfig, inputs: BackupInputs, opts: pulumi.ComponentResourceOptions) {
  const { network, images, database, vectorStore, sentry } = inputs;
  const provider = (opts.providers as Record<string, pulumi.ProviderResource>).aws;
  const account = aws.getCallerIdentityOutput({}, { provider }).accountId;
  const name = bucketName(cfg.namePrefix, "backups", account, cfg.region);
  const partition = aws.getPartitionOutput({}, { provider }).partition;
  const accessLogs = new AccessLogBucket(
    "backup-access-logs",
    {
      bucket: bucketName(cfg.namePrefix, "s3-access-logs", account, cfg.region),
      // The backup bucket's ARN from its name, not its output: the two buckets refer to each other.
      sourceBucketArns: [pulumi.interpolate`arn:${partition}:s3:::${name}`],
      forceDestroy: cfg.backupForceDestroy,
      protect: cfg.protectStatefulResources,
    },
    opts,
  );
  const bucket = new BackupBucket(
    "backup-bucket",
    {
      namePrefix: cfg.namePrefix,
      bucket: name,
      retentionDays: cfg.backupRetentionDays,
      noncurrentVersionDays: cfg.backupNoncurrentVersionDays,
      objectLock: cfg.backupObjectLock,
      objectLockDays: cfg.backupObjectLockDays,
      accessLogBucket: accessLogs.bucketName,
      forceDestroy: cfg.backupForceDestroy,
      protect: cfg.protectStatefulResources,
    },
    opts,
  );

  if (cfg.backupReplicaRegion) {
    const replicaProvider = partProvider("aws-backup-replica", cfg, "backup", cfg.backupReplicaRegion);
    new BackupReplica(
      "backup-replica",
      {
        namePrefix: cfg.namePrefix,
        region: cfg.backupReplicaRegion,
        sourceRegion: cfg.region,
        source: { bucket: bucket.bucketName, bucketArn: bucket.bucketArn, kmsKeyArn: bucket.kmsKeyArn, versioning: bucket.versioning },
        sourceProvider: provider,
        retentionDays: cfg.backupRetentionDays,
        noncurrentVersionDays: cfg.backupNoncurrentVersionDays,
        objectLock: cfg.backupObjectLock,
        objectLockDays: cfg.backupObjectLockDays,
        forceDestroy: cfg.backupForceDestroy,
        protect: cfg.protectStatefulResources,
      },
      { providers: { aws: replicaProvider } },
    );
  }

  const bounds: BackupBounds = {
    deadlineMinutes: cfg.backupDeadlineMinutes,
    verifyMaxAgeHours: cfg.backupVerifyMaxAgeHours,
    minRows: cfg.backupMinRows,
    maxShrinkPercent: cfg.backupMaxShrinkPercent,
  };
  const common = {
    namePrefix: cfg.namePrefix,
    region: cfg.region,
    image: { uri: images.imageRefs.backupJob, repositoryArn: images.pullRepositoryArns.backupJob },
    ephemeralStorageGb: cfg.backupEphemeralStorageGb,
    logRetentionDays: cfg.appLogRetentionDays,
    bucketName: bucket.bucketName,
    bucketArn: bucket.bucketArn,
    kmsKeyArn: bucket.kmsKeyArn,
    prefix: cfg.namePrefix,
    sentry: { dsnSecret: { secretArn: sentry.dsnSecretArns.backupJob, kmsKeyArn: sentry.dsnKmsKeyArn }, monitorSlug: sentry.backupMonitorSlug },
    bounds,
    enabled: cfg.backupEnabled,
    timezone: cfg.backupScheduleTimezone,
    clusterArn: inputs.clusterArn,
    subnetIds: network.privateSubnetIds,
    securityGroupId: network.jobsSecurityGroupId,
    // The topic's policy and key already let EventBridge and CloudWatch publish (components/monitoring/alerts.ts).
    alertTopicArn: inputs.alertTopicArn,
    runbookBaseUrl: cfg.runbookBaseUrl,
  };
  const schedule = new BackupSchedule(
    "backup",
    {
      ...common,
      // One vCPU: pg_dump -Fc compresses on one core; 2 GiB covers the upload buffers (~64 MiB) and SQLite copies.
      cpu: 1024,
      memory: 2048,
      databaseUrlSecret: { secretArn: database.backupSecretArn, jsonKey: "url", kmsKeyArn: database.kmsKeyArn },
      chroma: { fileSystemId: vectorStore.fileSystemId, accessPointId: vectorStore.accessPointId },
      backupExpression: cfg.backupSchedule,
      verifyExpression: cfg.backupVerifySchedule,
    },
    opts,
  );
  new RestoreDrill(
    "backup-drill",
    {
      ...common,
      database: {
        host: database.address,
        port: database.port,
        caBundlePath: RDS_CA_BUNDLE,
        masterSecret: { secretArn: database.masterSecretArn, kmsKeyArn: database.kmsKeyArn },
      },
      expression: cfg.backupDrillSchedule,
      maxDays: cfg.backupDrillMaxDays,
      scheduleGroupName: schedule.scheduleGroupName,
      deadLetterQueueArn: schedule.deadLetterQueueArn,
    },
    opts,
  );
  return { bucket };
}
