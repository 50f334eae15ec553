import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withRunbook } from "../shared/runbooks";
import { ContainerSecret } from "../shared/containerSecret";
import { ImageRef } from "../shared/imageRef";
import { JobTask } from "../shared/jobTask";
import { backupTaskStatements, schedulerAssumeRolePolicy, schedulerPolicy, taskFailedPattern } from "./backupPermissions";
import { BackupBounds, boundsEnvironment, maxAgeArgs, monitorEnvironment } from "./jobEnvironment";

// Still importable from here, where it was defined before the split.
export { backupTaskStatements } from "./backupPermissions";

export interface BackupScheduleArgs {
  /** `<project>-<stack>`: task family `<namePrefix>-backup`. */
  namePrefix: string;
  /** Region of the cluster, the bucket and the task definition. */
  region: string;
  /** Backup job image, pinned by digest, and its ECR repository. */
  image: ImageRef;
  /** Fargate CPU units and memory (MiB) of the job: pg_dump compresses with one core. */
  cpu: number;
  memory: number;
  /** Task ephemeral storage (GiB): `verify` downloads a whole backup, `backup` stages the Chroma copy. */
  ephemeralStorageGb: number;
  /** Days the job's log group keeps its logs. */
  logRetentionDays: number;
  /** Where backups go: the bucket, its key (the job writes with it), and the folder (BACKUP_PREFIX). */
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  prefix: string;
  /** DATABASE_URL: the backup role's connection URL (e.g. the data tier's backup secret, key `url`), with its key. */
  databaseUrlSecret: ContainerSecret;
  /** Chroma's EFS access point, mounted writable as CHROMA_DATA_DIR (SQLite takes a lock and writes its WAL index even to read); omitted, only Postgres is backed up. */
  chroma?: { fileSystemId: pulumi.Input<string>; accessPointId: pulumi.Input<string> };
  /** Sentry cron check-ins (SENTRY_DSN + SENTRY_MONITOR_SLUG); omitted, none. */
  sentry?: { dsnSecret: ContainerSecret; monitorSlug: string };
  /** When false both schedules are created DISABLED (see the class comment). */
  enabled: boolean;
  /** EventBridge Scheduler expression of the daily backup, e.g. `cron(0 2 * * ? *)`. */
  backupExpression: string;
  /** Expression of the weekly `verify --from latest`. */
  verifyExpression: string;
  /** IANA time zone both expressions are read in. */
  timezone: string;
  /** Deadline, freshness and plausibility bounds of the runs. */
  bounds: BackupBounds;
  /** The shared ECS cluster the tasks run in. */
  clusterArn: pulumi.Input<string>;
  /** Private subnets the tasks run in (no public IP). */
  subnetIds: pulumi.Input<string>[];
  /** The jobs security group. */
  securityGroupId: pulumi.Input<string>;
  /** SNS topic that failed runs and undeliverable schedules notify. */
  alertTopicArn: pulumi.Input<string>;
  /** Base URL of the repository's files: the alarm links its runbook (components/runbooks.ts). */
  runbookBaseUrl?: string;
}

/** Where the Chroma volume appears in the job's container. */
export const CHROMA_MOUNT = "/mnt/chroma";

/** Retries for RunTask errors (capacity, throttling); a task that starts and fails is the failure rule's business. */
const RETRY = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 };
/** SQS's maximum: two weeks to read why a night's backup never started. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The backup job's task definition (roles, log group, writable Chroma mount), run daily as
 * `backup` and weekly as `verify --from latest` by EventBridge Scheduler on the shared cluster,
 * and an alert when a run fails: the task stops with a non-zero exit code or never starts
 * (EventBridge rule on ECS task state changes), or the scheduler cannot start it at all after
 * retries (dead-letter queue alarm).
 *
 * With backups turned off the schedules stay, DISABLED, rather than disappear: turning them back
 * on is a one-field update that changes nothing else (no IAM or queue churn), the plan still
 * shows what would run and how, and the failure alarms keep covering runs started by hand.
 */
export class BackupSchedule extends pulumi.ComponentResource {
  readonly task: JobTask;
  readonly backupScheduleArn: pulumi.Output<string>;
  readonly verifyScheduleArn: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  /** The schedule group the restore drill's schedule joins. */
  readonly scheduleGroupName: pulumi.Output<string>;
  /** The failure rule: the alert topic's policy must let events.amazonaws.com publish for it. */
  readonly failureRuleArn: pulumi.Output<string>;

  constructor(name: string, args: BackupScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:backup:BackupSchedule", name, {}, opts);
    const child = { parent: this };
    const p = args.namePrefix;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const partition = aws.getPartitionOutput({}, child).partition;

    const task = new JobTask(
      `${name}-job`,
      {
        namePrefix: p,
        job: "backup",
        image: args.image,
        region: args.region,
        cpu: args.cpu,
        memory: args.memory,
        ephemeralStorageGb: args.ephemeralStorageGb,
        command: ["backup"],
        environment: {
          BACKUP_BUCKET: args.bucketName,
          BACKUP_PREFIX: args.prefix,
          AWS_REGION: args.region,
          // The job then sends the SSE-KMS headers with this key, which the bucket policy accepts.
          BACKUP_KMS_KEY_ID: args.kmsKeyArn,
          ...(args.chroma ? { CHROMA_DATA_DIR: CHROMA_MOUNT } : {}),
          ...boundsEnvironment(args.bounds),
          ...(args.sentry
            ? {
                SENTRY_MONITOR_SLUG: args.sentry.monitorSlug,
                ...monitorEnvironment({ backup: args.backupExpression, verify: args.verifyExpression, drill: undefined }, args.timezone, args.bounds),
              }
            : {}),
        },
        secrets: { DATABASE_URL: args.databaseUrlSecret, ...(args.sentry ? { SENTRY_DSN: args.sentry.dsnSecret } : {}) },
        taskPolicyStatements: pulumi
          .all([args.bucketArn, args.kmsKeyArn])
          .apply(([bucketArn, keyArn]) => backupTaskStatements(bucketArn, args.prefix, keyArn, args.region)),
        // Writable although the job never writes there: SQLite's backup API takes a shared lock on the
        // live database, and in WAL mode must update its -shm index; both fail on a read-only mount.
        efsVolume: args.chroma ? { ...args.chroma, containerPath: CHROMA_MOUNT, readOnly: false } : undefined,
        // The root filesystem is read-only; the Chroma snapshot (backup) and the downloads (verify) go to /tmp.
        scratchPath: "/tmp",
        logRetentionDays: args.logRetentionDays,
      },
      child,
    );
    this.task = task;
    const familyArnPrefix = pulumi.interpolate`arn:${partition}:ecs:${args.region}:${account}:task-definition/${task.family}:`;

    // SSE-SQS: the queue holds only the scheduler's event (no data, no secrets), and an AWS-owned
    // key needs no key policy for the scheduler's role or CloudWatch to read the queue's metrics.
    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      { name: `${p}-backup-schedule-dlq`, sqsManagedSseEnabled: true, messageRetentionSeconds: DLQ_RETENTION_SECONDS },
      child,
    );

    const role = new aws.iam.Role(
      `${name}-scheduler`,
      {
        name: `${p}-backup-scheduler`,
        description: "EventBridge Scheduler: runs the backup task definition, nothing else",
        assumeRolePolicy: account.apply(schedulerAssumeRolePolicy),
      },
      child,
    );
    // The scheduler sends to the DLQ with this role, so no queue policy is needed.
    new aws.iam.RolePolicy(
      `${name}-scheduler`,
      {
        role: role.id,
        policy: pulumi
          .all([familyArnPrefix, args.clusterArn, task.taskRoleArn!, task.executionRoleArn, dlq.arn, account, partition])
          .apply(([tdPrefix, clusterArn, taskRole, execRole, dlqArn, acct, part]) =>
            schedulerPolicy({ tdPrefix, clusterArn, taskRole, execRole, dlqArn, acct, part, region: args.region, runSid: "RunBackupTask" }),
          ),
      },
      child,
    );

    const group = new aws.scheduler.ScheduleGroup(`${name}-group`, { name: `${p}-backup` }, child);
    const schedule = (suffix: string, expression: string, description: string, command?: string[]) =>
      new aws.scheduler.Schedule(
        `${name}-${suffix}`,
        {
          name: `${p}-${suffix}`,
          groupName: group.name,
          description,
          scheduleExpression: expression,
          scheduleExpressionTimezone: args.timezone,
          state: args.enabled ? "ENABLED" : "DISABLED",
          flexibleTimeWindow: { mode: "OFF" },
          target: {
            arn: args.clusterArn,
            roleArn: role.arn,
            retryPolicy: RETRY,
            deadLetterConfig: { arn: dlq.arn },
            ecsParameters: {
              taskDefinitionArn: task.taskDefinitionArn,
              launchType: "FARGATE",
              taskCount: 1,
              propagateTags: "TASK_DEFINITION",
              networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroupId], assignPublicIp: false },
            },
            // For an ECS target the input is RunTask's `overrides`.
            ...(command ? { input: JSON.stringify({ containerOverrides: [{ name: task.containerName, command }] }) } : {}),
          },
        },
        child,
      );

    const backup = schedule("backup", args.backupExpression, "Daily backup of PostgreSQL and Chroma to S3");
    const verify = schedule("backup-verify", args.verifyExpression, "Weekly download-and-check of the latest backup", [
      "verify",
      "--from",
      "latest",
      ...maxAgeArgs(args.bounds),
    ]);

    // A run that exits non-zero, or a task that never got to run its container (image pull, secrets).
    const failureRule = new aws.cloudwatch.EventRule(
      `${name}-failed`,
      {
        name: `${p}-backup-failed`,
        description: `A ${task.family} task stopped with a non-zero exit code or failed to start`,
        eventPattern: pulumi.all([args.clusterArn, familyArnPrefix]).apply(([clusterArn, tdPrefix]) => taskFailedPattern(clusterArn, tdPrefix)),
      },
      child,
    );
    new aws.cloudwatch.EventTarget(`${name}-failed`, { rule: failureRule.name, arn: args.alertTopicArn }, child);

    new aws.cloudwatch.MetricAlarm(
      `${name}-dlq`,
      {
        name: `${p}-backup-schedule-undelivered`,
        alarmDescription: withRunbook(
          `EventBridge Scheduler could not start ${task.family} after retries; the event is in ${p}-backup-schedule-dlq`,
          args.runbookBaseUrl ?? "",
          "backup-schedule-undelivered",
        ),
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: dlq.name },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [args.alertTopicArn],
        okActions: [args.alertTopicArn],
      },
      child,
    );

    this.backupScheduleArn = backup.arn;
    this.verifyScheduleArn = verify.arn;
    this.deadLetterQueueArn = dlq.arn;
    this.scheduleGroupName = group.name;
    this.failureRuleArn = failureRule.arn;
    this.registerOutputs({
      backupScheduleArn: this.backupScheduleArn,
      verifyScheduleArn: this.verifyScheduleArn,
      deadLetterQueueArn: this.deadLetterQueueArn,
      failureRuleArn: this.failureRuleArn,
    });
  }
}
