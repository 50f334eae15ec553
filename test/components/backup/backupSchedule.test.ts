/** The backup job's schedules alone: its task, daily backup and weekly verify, a scheduler role scoped to them, and alerts on failed or undelivered runs. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const SCHEDULE = "aws:scheduler/schedule:Schedule";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const CLUSTER = "arn:aws:ecs:eu-central-1:123456789012:cluster/chatbot-test";
const TOPIC = "arn:aws:sns:eu-central-1:123456789012:chatbot-test-alerts";
const BUCKET_ARN = "arn:aws:s3:::chatbot-test-backups-123456789012-eu-central-1";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/backup";
const DB_SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:chatbot-test-db-backup-AbCdEf";
const DSN_SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:chatbot-test-sentry-dsn-AbCdEf";
const FAMILY_PREFIX = "arn:aws:ecs:eu-central-1:123456789012:task-definition/chatbot-test-backup:";

const render = (over: Record<string, unknown> = {}) =>
  renderComponent(() => {
    const { BackupSchedule } = load<typeof import("../../../components/backup/backupSchedule")>("components/backup/backupSchedule");
    new BackupSchedule("backup", {
      namePrefix: "chatbot-test",
      region: "eu-central-1",
      image: {
        uri: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/chatbot-test-backup-job@sha256:" + "d".repeat(64),
        repositoryArn: "arn:aws:ecr:eu-central-1:123456789012:repository/chatbot-test-backup-job",
      },
      cpu: 1024,
      memory: 2048,
      ephemeralStorageGb: 50,
      logRetentionDays: 7,
      bucketName: "chatbot-test-backups-123456789012-eu-central-1",
      bucketArn: BUCKET_ARN,
      kmsKeyArn: KEY_ARN,
      prefix: "chatbot-test",
      databaseUrlSecret: { secretArn: DB_SECRET, jsonKey: "url", kmsKeyArn: KEY_ARN },
      chroma: { fileSystemId: "fs-1", accessPointId: "fsap-1" },
      sentry: { dsnSecret: { secretArn: DSN_SECRET }, monitorSlug: "chatbot-test-backup" },
      enabled: true,
      backupExpression: "cron(0 2 * * ? *)",
      verifyExpression: "cron(0 4 ? * 1 *)",
      timezone: "Europe/Berlin",
      bounds: { deadlineMinutes: 60, verifyMaxAgeHours: 26, minRows: 1, maxShrinkPercent: 50 },
      clusterArn: CLUSTER,
      subnetIds: ["subnet-a", "subnet-b"],
      securityGroupId: "sg-jobs",
      alertTopicArn: TOPIC,
      runbookBaseUrl: "https://example.org/runbooks",
      ...over,
    });
  });

const containerOf = (plan: Plan) => parseJsonInput<any[]>(one(plan, TASK_DEFINITION), "containerDefinitions")[0];
const envOf = (plan: Plan): Record<string, string> => Object.fromEntries(containerOf(plan).environment.map((e: any) => [e.name, e.value]));

describe("BackupSchedule", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render();
  });

  it("owns the job's task, two schedules in their group, the scheduler's role, the dead-letter queue, the failure rule and the queue's alarm", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:backup:BackupSchedule": 1,
      "chatbot:shared:JobTask": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      [ROLE]: 3,
      [ROLE_POLICY]: 3,
      [TASK_DEFINITION]: 1,
      "aws:sqs/queue:Queue": 1,
      "aws:scheduler/scheduleGroup:ScheduleGroup": 1,
      [SCHEDULE]: 2,
      "aws:cloudwatch/eventRule:EventRule": 1,
      "aws:cloudwatch/eventTarget:EventTarget": 1,
      "aws:cloudwatch/metricAlarm:MetricAlarm": 1,
    });
    expect(one(plan, TASK_DEFINITION).inputs).toMatchObject({
      family: "chatbot-test-backup",
      cpu: "1024",
      memory: "2048",
      ephemeralStorage: { sizeInGib: 50 },
    });
  });

  it("runs `backup` with the bucket, folder and key it writes with, the database URL as an ECS secret, and Chroma's volume mounted", () => {
    const container = containerOf(plan);
    expect(container.command).toEqual(["backup"]);
    expect(envOf(plan)).toMatchObject({
      BACKUP_BUCKET: "chatbot-test-backups-123456789012-eu-central-1",
      BACKUP_PREFIX: "chatbot-test",
      BACKUP_KMS_KEY_ID: KEY_ARN,
      CHROMA_DATA_DIR: "/mnt/chroma",
      BACKUP_DEADLINE_SECONDS: "3600",
    });
    expect(container.secrets).toEqual([
      { name: "DATABASE_URL", valueFrom: `${DB_SECRET}:url::` },
      { name: "SENTRY_DSN", valueFrom: DSN_SECRET },
    ]);
    expect(container.mountPoints).toContainEqual({ sourceVolume: "efs", containerPath: "/mnt/chroma", readOnly: false });
  });

  it("lets the job write, read and list its own folder with the bucket's key through S3, and delete nothing", () => {
    const statements = parseJsonInput(one(plan, ROLE_POLICY, "backup-job-task"), "policy").Statement as any[];
    expect(statements.map((s) => s.Sid)).toEqual(["WriteBackups", "ReadBackups", "ListBackups", "BackupKey", "EfsMount"]);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => /Delete|\*/.test(a))).toEqual([]);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.WriteBackups.Resource).toBe(`${BUCKET_ARN}/chatbot-test/*`);
    expect(bySid.ListBackups).toMatchObject({ Resource: BUCKET_ARN, Condition: { StringLikeIfExists: { "s3:prefix": ["chatbot-test/*"] } } });
    expect(bySid.BackupKey).toMatchObject({ Resource: KEY_ARN, Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } } });
  });

  it("schedules the daily backup and the weekly verify privately on the cluster, retrying and dead-lettering", () => {
    const backup = one(plan, SCHEDULE, "backup-backup");
    const verify = one(plan, SCHEDULE, "backup-backup-verify");
    for (const [s, name, expression] of [
      [backup, "chatbot-test-backup", "cron(0 2 * * ? *)"],
      [verify, "chatbot-test-backup-verify", "cron(0 4 ? * 1 *)"],
    ] as const) {
      expect(s.inputs).toMatchObject({
        name,
        groupName: "chatbot-test-backup",
        scheduleExpression: expression,
        scheduleExpressionTimezone: "Europe/Berlin",
        state: "ENABLED",
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: CLUSTER,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: "arn:aws:sqs:eu-central-1:123456789012:backup-dlq" },
          ecsParameters: {
            launchType: "FARGATE",
            taskCount: 1,
            networkConfiguration: { subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-jobs"], assignPublicIp: false },
          },
        },
      });
    }
    expect((backup.inputs.target as any).input).toBeUndefined();
    expect(JSON.parse((verify.inputs.target as any).input)).toEqual({
      containerOverrides: [{ name: "backup", command: ["verify", "--from", "latest", "--max-age", "26h"] }],
    });
  });

  it("lets the scheduler, for this account only, run just this task family on this cluster and pass just its two roles", () => {
    expect(parseJsonInput(one(plan, ROLE, "backup-scheduler"), "assumeRolePolicy").Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    const bySid = Object.fromEntries(parseJsonInput(one(plan, ROLE_POLICY, "backup-scheduler"), "policy").Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual(["RunBackupTask", "TagTaskAtLaunch", "PassTaskRoles", "DeadLetters"]);
    expect(bySid.RunBackupTask).toMatchObject({ Action: "ecs:RunTask", Resource: `${FAMILY_PREFIX}*`, Condition: { ArnEquals: { "ecs:cluster": CLUSTER } } });
    expect(bySid.PassTaskRoles.Resource).toEqual([expect.stringMatching(/:backup-job-task$/), expect.stringMatching(/:backup-job-execution$/)]);
    expect(bySid.PassTaskRoles.Condition).toEqual({ StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    expect(bySid.DeadLetters).toMatchObject({ Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-central-1:123456789012:backup-dlq" });
  });

  it("alerts on a run of the family that exits non-zero or never starts, and on an event left in the encrypted dead-letter queue", () => {
    expect(parseJsonInput(one(plan, "aws:cloudwatch/eventRule:EventRule"), "eventPattern")).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: [CLUSTER],
        taskDefinitionArn: [{ prefix: FAMILY_PREFIX }],
        lastStatus: ["STOPPED"],
        $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
      },
    });
    expect(one(plan, "aws:cloudwatch/eventTarget:EventTarget").inputs).toMatchObject({ rule: "chatbot-test-backup-failed", arn: TOPIC });
    expect(one(plan, "aws:sqs/queue:Queue").inputs).toEqual({
      name: "chatbot-test-backup-schedule-dlq",
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 1209600,
    });
    expect(one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "chatbot-test-backup-schedule-dlq" },
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
  });

  it("lets each Sentry monitor be created with the crontab of the schedule that runs it", () => {
    expect(envOf(plan)).toMatchObject({
      SENTRY_MONITOR_SLUG: "chatbot-test-backup",
      SENTRY_MONITOR_SCHEDULE: "0 2 * * *",
      SENTRY_VERIFY_MONITOR_SCHEDULE: "0 4 * * 0",
      SENTRY_MONITOR_TIMEZONE: "Europe/Berlin",
    });
  });

  it("turned off, keeps both schedules DISABLED with nothing else changed", async () => {
    const off = await render({ enabled: false });
    expect(typeCounts(off)).toEqual(typeCounts(plan));
    expect([one(off, SCHEDULE, "backup-backup"), one(off, SCHEDULE, "backup-backup-verify")].map((s) => s.inputs.state)).toEqual(["DISABLED", "DISABLED"]);
    expect(one(off, ROLE_POLICY, "backup-scheduler").inputs.policy).toBe(one(plan, ROLE_POLICY, "backup-scheduler").inputs.policy);
    expect(one(off, TASK_DEFINITION).inputs.containerDefinitions).toBe(one(plan, TASK_DEFINITION).inputs.containerDefinitions);
  });

  it("without Chroma or Sentry, backs up Postgres alone: no volume, no EFS rights, no Sentry settings or secret", async () => {
    const bare = await render({ chroma: undefined, sentry: undefined });
    expect(one(bare, TASK_DEFINITION).inputs.volumes).toEqual([{ name: "scratch" }]);
    expect(Object.keys(envOf(bare)).filter((k) => k === "CHROMA_DATA_DIR" || k.startsWith("SENTRY_"))).toEqual([]);
    expect(containerOf(bare).secrets.map((s: any) => s.name)).toEqual(["DATABASE_URL"]);
    expect(parseJsonInput(one(bare, ROLE_POLICY, "backup-job-task"), "policy").Statement.map((s: any) => s.Sid)).not.toContain("EfsMount");
  });
});
