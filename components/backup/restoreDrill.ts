import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { withRunbook } from "../shared/runbooks";
import { ContainerSecret } from "../shared/containerSecret";
import { ImageRef } from "../shared/imageRef";
import { JobTask } from "../shared/jobTask";
import { PolicyStatement } from "../shared/policyStatement";
import { BackupBounds, boundsEnvironment, maxAgeArgs, monitorEnvironment } from "./jobEnvironment";
import { schedulerAssumeRolePolicy, schedulerPolicy, taskFailedPattern } from "./backupPermissions";

/** Where the drill reports (jobs/backup/metrics.ts), with the dimension Stack = `<namePrefix>`. */
export const DRILL_METRIC_NAMESPACE = "Chatbot/Backup";
export const DRILL_SUCCESS_METRIC = "RestoreDrillSuccess";

export interface RestoreDrillArgs {
  /** `<project>-<stack>`: task family `<namePrefix>-backup-drill`. */
  namePrefix: string;
  region: string;
  /** The backup job's image (the drill is its `drill` command). */
  image: ImageRef;
  /** Task disk (GiB): the drill downloads the whole backup, as verify does. */
  ephemeralStorageGb: number;
  logRetentionDays: number;
  /** The backups it restores: bucket, key, folder. */
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  kmsKeyArn: pulumi.Input<string>;
  prefix: string;
  /** The stack's own instance: the scratch database is created there as the RDS master user. */
  database: { host: pulumi.Input<string>; port: pulumi.Input<number>; masterSecret: ContainerSecret; caBundlePath: string };
  /** Sentry check-ins to `<monitorSlug>-drill`. */
  sentry?: { dsnSecret: ContainerSecret; monitorSlug: string };
  bounds: BackupBounds;
  enabled: boolean;
  expression: string;
  timezone: string;
  /** The alarm fires after this many days (1-7) without a successful drill. */
  maxDays: number;
  clusterArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  /** The backup schedule's group and dead-letter queue, shared. */
  scheduleGroupName: pulumi.Input<string>;
  deadLetterQueueArn: pulumi.Input<string>;
  alertTopicArn: pulumi.Input<string>;
  runbookBaseUrl?: string;
}

/** Read the backups, decrypt them through S3, report the drill's two metrics; nothing that writes S3. */
export function drillTaskStatements(bucketArn: string, prefix: string, kmsKeyArn: string, region: string): PolicyStatement[] {
  return [
    { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${prefix}/*` },
    { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLikeIfExists: { "s3:prefix": [`${prefix}/*`] } } },
    {
      Sid: "BackupKey",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    },
    // PutMetricData has no resource ARN; the namespace condition is its only scope.
    {
      Sid: "DrillMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": DRILL_METRIC_NAMESPACE } },
    },
  ];
}

/**
 * The scheduled restore drill (issue 16, item 8): the backup job's `drill` command in a task of
 * its own, because it alone needs the RDS master secret (to create and drop the scratch
 * database) and it alone may not write to the bucket. It runs on its own schedule, alerts when a
 * run fails like the backup does, and an alarm fires when no drill succeeded for `maxDays`
 * days: a drill that never ran is as bad as one that failed.
 */
export class RestoreDrill extends pulumi.ComponentResource {
  readonly task: JobTask;
  readonly scheduleArn: pulumi.Output<string>;
  readonly alarmArn: pulumi.Output<string>;

  constructor(name: string, args: RestoreDrillArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:backup:RestoreDrill", name, {}, opts);
    const child = { parent: this };
    const p = args.namePrefix;
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const partition = aws.getPartitionOutput({}, child).partition;

    const task = new JobTask(
      `${name}-job`,
      {
        namePrefix: p,
        job: "backup-drill",
        image: args.image,
        region: args.region,
        // pg_restore into the same instance; one core and 2 GiB as the backup job.
        cpu: 1024,
        memory: 2048,
        ephemeralStorageGb: args.ephemeralStorageGb,
        command: ["drill", "--from", "latest", ...maxAgeArgs(args.bounds)],
        environment: {
          BACKUP_BUCKET: args.bucketName,
          BACKUP_PREFIX: args.prefix,
          AWS_REGION: args.region,
          PGHOST: args.database.host,
          PGPORT: pulumi.output(args.database.port).apply(String),
          PGSSLMODE: "verify-full",
          PGSSLROOTCERT: args.database.caBundlePath,
          DRILL_METRIC_NAMESPACE: DRILL_METRIC_NAMESPACE,
          DRILL_METRIC_STACK: p,
          ...boundsEnvironment(args.bounds),
          ...(args.sentry
            ? {
                SENTRY_MONITOR_SLUG: args.sentry.monitorSlug,
                ...monitorEnvironment({ backup: undefined, verify: undefined, drill: args.expression }, args.timezone, args.bounds),
              }
            : {}),
        },
        secrets: { DB_MASTER_SECRET: args.database.masterSecret, ...(args.sentry ? { SENTRY_DSN: args.sentry.dsnSecret } : {}) },
        taskPolicyStatements: pulumi.all([args.bucketArn, args.kmsKeyArn]).apply(([b, k]) => drillTaskStatements(b, args.prefix, k, args.region)),
        scratchPath: "/tmp",
        logRetentionDays: args.logRetentionDays,
      },
      child,
    );
    this.task = task;
    const familyArnPrefix = pulumi.interpolate`arn:${partition}:ecs:${args.region}:${account}:task-definition/${task.family}:`;

    const role = new aws.iam.Role(
      `${name}-scheduler`,
      {
        name: `${p}-backup-drill-scheduler`,
        description: "EventBridge Scheduler: runs the restore drill task definition, nothing else",
        assumeRolePolicy: account.apply(schedulerAssumeRolePolicy),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-scheduler`,
      {
        role: role.id,
        policy: pulumi
          .all([familyArnPrefix, args.clusterArn, task.taskRoleArn!, task.executionRoleArn, args.deadLetterQueueArn, account, partition])
          .apply(([tdPrefix, clusterArn, taskRole, execRole, dlqArn, acct, part]) =>
            schedulerPolicy({ tdPrefix, clusterArn, taskRole, execRole, dlqArn, acct, part, region: args.region, runSid: "RunDrillTask" }),
          ),
      },
      child,
    );

    const schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        name: `${p}-backup-drill`,
        groupName: args.scheduleGroupName,
        description: "Restore drill: the latest backup into a scratch database, compared with its manifest, timed, dropped",
        scheduleExpression: args.expression,
        scheduleExpressionTimezone: args.timezone,
        state: args.enabled ? "ENABLED" : "DISABLED",
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: args.clusterArn,
          roleArn: role.arn,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: args.deadLetterQueueArn },
          ecsParameters: {
            taskDefinitionArn: task.taskDefinitionArn,
            launchType: "FARGATE",
            taskCount: 1,
            propagateTags: "TASK_DEFINITION",
            networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroupId], assignPublicIp: false },
          },
        },
      },
      child,
    );

    const failed = new aws.cloudwatch.EventRule(
      `${name}-failed`,
      {
        name: `${p}-backup-drill-failed`,
        description: `A ${task.family} task stopped with a non-zero exit code or failed to start`,
        eventPattern: pulumi.all([args.clusterArn, familyArnPrefix]).apply(([clusterArn, tdPrefix]) => taskFailedPattern(clusterArn, tdPrefix)),
      },
      child,
    );
    new aws.cloudwatch.EventTarget(`${name}-failed`, { rule: failed.name, arn: args.alertTopicArn }, child);

    // One datapoint a day; a day with no successful drill (no datapoint, or 0) breaches; all
    // `maxDays` of them breaching alarms. CloudWatch allows at most 7 days of evaluation.
    const alarm = new aws.cloudwatch.MetricAlarm(
      `${name}-missing`,
      {
        name: `${p}-backup-drill-missing`,
        alarmDescription: withRunbook(
          `No successful restore drill of ${p}'s backups for ${args.maxDays} days`,
          args.runbookBaseUrl ?? "",
          "backup-drill-missing",
        ),
        namespace: DRILL_METRIC_NAMESPACE,
        metricName: DRILL_SUCCESS_METRIC,
        dimensions: { Stack: p },
        statistic: "Maximum",
        period: 86400,
        evaluationPeriods: args.maxDays,
        datapointsToAlarm: args.maxDays,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        // A stack without scheduled backups (preview) has no drills either: nothing to page about.
        actionsEnabled: args.enabled,
        alarmActions: [args.alertTopicArn],
        okActions: [args.alertTopicArn],
      },
      child,
    );

    this.scheduleArn = schedule.arn;
    this.alarmArn = alarm.arn;
    this.registerOutputs({ scheduleArn: this.scheduleArn, alarmArn: this.alarmArn });
  }
}
