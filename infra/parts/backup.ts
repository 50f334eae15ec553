import * as pulumi from "@pulumi/pulumi";
import { BackupBucket } from "../../components/backup/backupBucket";
import { BackupSchedule } from "../../components/backup/backupSchedule";
import { Database } from "../../components/data/database";
import { VectorStore } from "../../components/data/vectorStore";
import { Images } from "../../components/images/images";
import { Sentry } from "../../components/monitoring/sentry";
import { Network } from "../../components/network/network";
import { StackConfig } from "../config";

export interface BackupInputs {
  network: Network;
  clusterArn: pulumi.Output<string>;
  images: Images;
  database: Database;
  vectorStore: VectorStore;
  sentry: Sentry;
  alertTopicArn: pulumi.Output<string>;
}

/** The bucket, the job's task definition, its daily and weekly schedules, failure alerts. */
export function backupPart(cfg: StackConfig, inputs: BackupInputs, opts: pulumi.ComponentResourceOptions) {
  const { network, images, database, vectorStore, sentry } = inputs;
  const bucket = new BackupBucket("backup-bucket", {
    namePrefix: cfg.namePrefix,
    retentionDays: cfg.backupRetentionDays,
    noncurrentVersionDays: cfg.backupNoncurrentVersionDays,
    objectLock: cfg.backupObjectLock,
    objectLockDays: cfg.backupObjectLockDays,
    forceDestroy: cfg.backupForceDestroy,
    protect: cfg.protectStatefulResources,
  }, opts);
  new BackupSchedule("backup", {
    namePrefix: cfg.namePrefix,
    region: cfg.region,
    image: { uri: images.imageRefs.backupJob, repositoryArn: images.pullRepositoryArns.backupJob },
    // One vCPU: pg_dump -Fc compresses on one core; 2 GiB covers the upload buffers (~64 MiB) and SQLite copies.
    cpu: 1024,
    memory: 2048,
    ephemeralStorageGb: cfg.backupEphemeralStorageGb,
    logRetentionDays: cfg.appLogRetentionDays,
    bucketName: bucket.bucketName,
    bucketArn: bucket.bucketArn,
    kmsKeyArn: bucket.kmsKeyArn,
    prefix: cfg.namePrefix,
    databaseUrlSecret: { secretArn: database.backupSecretArn, jsonKey: "url", kmsKeyArn: database.kmsKeyArn },
    chroma: { fileSystemId: vectorStore.fileSystemId, accessPointId: vectorStore.accessPointId },
    sentry: { dsnSecret: { secretArn: sentry.dsnSecretArns.backupJob, kmsKeyArn: sentry.dsnKmsKeyArn }, monitorSlug: sentry.backupMonitorSlug },
    enabled: cfg.backupEnabled,
    backupExpression: cfg.backupSchedule,
    verifyExpression: cfg.backupVerifySchedule,
    timezone: cfg.backupScheduleTimezone,
    clusterArn: inputs.clusterArn,
    subnetIds: network.privateSubnetIds,
    securityGroupId: network.jobsSecurityGroupId,
    // The topic's policy and key already let EventBridge and CloudWatch publish (components/monitoring/alerts.ts).
    alertTopicArn: inputs.alertTopicArn,
    runbookBaseUrl: cfg.runbookBaseUrl,
  }, opts);
  return { bucket };
}
