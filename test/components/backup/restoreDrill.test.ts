/** The restore drill alone: its own read-only task with the master secret, its schedule in the shared group, failure alerts, and an alarm when no drill succeeds. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const CLUSTER = "arn:aws:ecs:eu-central-1:123456789012:cluster/chatbot-test";
const TOPIC = "arn:aws:sns:eu-central-1:123456789012:chatbot-test-alerts";
const DLQ = "arn:aws:sqs:eu-central-1:123456789012:chatbot-test-backup-schedule-dlq";
const BUCKET_ARN = "arn:aws:s3:::chatbot-test-backups-123456789012-eu-central-1";
const BACKUP_KEY = "arn:aws:kms:eu-central-1:123456789012:key/backup";
const DATA_KEY = "arn:aws:kms:eu-central-1:123456789012:key/data";
const SENTRY_KEY = "arn:aws:kms:eu-central-1:123456789012:key/sentry";
const MASTER_SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-AbCdEf";
const FAMILY_PREFIX = "arn:aws:ecs:eu-central-1:123456789012:task-definition/chatbot-test-backup-drill:";

const render = (over: Record<string, unknown> = {}) =>
  renderComponent(() => {
    const { RestoreDrill } = load<typeof import("../../../components/backup/restoreDrill")>("components/backup/restoreDrill");
    new RestoreDrill("backup-drill", {
      namePrefix: "chatbot-test",
      region: "eu-central-1",
      image: {
        uri: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/chatbot-test-backup-job@sha256:" + "e".repeat(64),
        repositoryArn: "arn:aws:ecr:eu-central-1:123456789012:repository/chatbot-test-backup-job",
      },
      ephemeralStorageGb: 50,
      logRetentionDays: 7,
      bucketName: "chatbot-test-backups-123456789012-eu-central-1",
      bucketArn: BUCKET_ARN,
      kmsKeyArn: BACKUP_KEY,
      prefix: "chatbot-test",
      database: {
        host: "chatbot-test.abcdefghijkl.eu-central-1.rds.amazonaws.com",
        port: 5432,
        masterSecret: { secretArn: MASTER_SECRET, kmsKeyArn: DATA_KEY },
        caBundlePath: "/etc/ssl/certs/rds-global-bundle.pem",
      },
      sentry: {
        dsnSecret: { secretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:dsn-AbCdEf", kmsKeyArn: SENTRY_KEY },
        monitorSlug: "chatbot-test-backup",
      },
      bounds: { deadlineMinutes: 60, verifyMaxAgeHours: 26, minRows: 1, maxShrinkPercent: 50 },
      enabled: true,
      expression: "cron(30 5 ? * 2 *)",
      timezone: "Europe/Berlin",
      maxDays: 3,
      clusterArn: CLUSTER,
      subnetIds: ["subnet-a"],
      securityGroupId: "sg-jobs",
      scheduleGroupName: "chatbot-test-backup",
      deadLetterQueueArn: DLQ,
      alertTopicArn: TOPIC,
      runbookBaseUrl: "https://example.org/runbooks",
      ...over,
    });
  });

const containerOf = (plan: Plan) => parseJsonInput<any[]>(one(plan, TASK_DEFINITION), "containerDefinitions")[0];
const envOf = (plan: Plan): Record<string, string> => Object.fromEntries(containerOf(plan).environment.map((e: any) => [e.name, e.value]));

describe("RestoreDrill", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render();
  });

  it("owns its task, its schedule, the scheduler's role, the failure rule and the missing-drill alarm; the group and queue are the backup's", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:backup:RestoreDrill": 1,
      "chatbot:shared:JobTask": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:iam/role:Role": 3,
      [ROLE_POLICY]: 3,
      [TASK_DEFINITION]: 1,
      [SCHEDULE]: 1,
      "aws:cloudwatch/eventRule:EventRule": 1,
      "aws:cloudwatch/eventTarget:EventTarget": 1,
      [ALARM]: 1,
    });
    expect(one(plan, TASK_DEFINITION).inputs).toMatchObject({ family: "chatbot-test-backup-drill", cpu: "1024", memory: "2048" });
  });

  it("runs `drill --from latest` against the stack's instance over verified TLS, the master secret read by ECS", () => {
    const container = containerOf(plan);
    expect(container.command).toEqual(["drill", "--from", "latest", "--max-age", "26h"]);
    expect(envOf(plan)).toMatchObject({
      BACKUP_BUCKET: "chatbot-test-backups-123456789012-eu-central-1",
      BACKUP_PREFIX: "chatbot-test",
      PGHOST: "chatbot-test.abcdefghijkl.eu-central-1.rds.amazonaws.com",
      PGPORT: "5432",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: "/etc/ssl/certs/rds-global-bundle.pem",
      DRILL_METRIC_STACK: "chatbot-test",
    });
    expect(container.secrets.find((s: any) => s.name === "DB_MASTER_SECRET")).toEqual({ name: "DB_MASTER_SECRET", valueFrom: MASTER_SECRET });
    const decrypt = parseJsonInput(one(plan, ROLE_POLICY, "backup-drill-job-execution"), "policy").Statement.find((s: any) => s.Sid === "DecryptSecrets");
    expect(decrypt.Resource).toEqual([DATA_KEY, SENTRY_KEY]);
    expect(decrypt.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toContain(MASTER_SECRET);
  });

  it("may read and list the backups and decrypt them through S3, report its metrics, and write nothing to the bucket", () => {
    const statements = parseJsonInput(one(plan, ROLE_POLICY, "backup-drill-job-task"), "policy").Statement as any[];
    expect(statements.map((s) => s.Sid)).toEqual(["ReadBackups", "ListBackups", "BackupKey", "DrillMetrics"]);
    expect(statements.flatMap((s) => [s.Action].flat())).toEqual(["s3:GetObject", "s3:ListBucket", "kms:Decrypt", "cloudwatch:PutMetricData"]);
    expect(statements[0].Resource).toBe(`${BUCKET_ARN}/chatbot-test/*`);
    expect(statements[2]).toMatchObject({ Resource: BACKUP_KEY, Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } } });
    // PutMetricData has no resource: the namespace is its only scope.
    expect(statements[3].Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "Chatbot/Backup" } });
    expect(envOf(plan).DRILL_METRIC_NAMESPACE).toBe("Chatbot/Backup");
  });

  it("is scheduled privately in the backup's group, dead-lettering to the backup's queue", () => {
    expect(one(plan, SCHEDULE).inputs).toMatchObject({
      name: "chatbot-test-backup-drill",
      groupName: "chatbot-test-backup",
      scheduleExpression: "cron(30 5 ? * 2 *)",
      scheduleExpressionTimezone: "Europe/Berlin",
      state: "ENABLED",
      target: {
        arn: CLUSTER,
        deadLetterConfig: { arn: DLQ },
        ecsParameters: { launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-jobs"], assignPublicIp: false } },
      },
    });
  });

  it("lets the scheduler run only the drill's family on this cluster and dead-letter to the shared queue", () => {
    const bySid = Object.fromEntries(parseJsonInput(one(plan, ROLE_POLICY, "backup-drill-scheduler"), "policy").Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual(["RunDrillTask", "TagTaskAtLaunch", "PassTaskRoles", "DeadLetters"]);
    expect(bySid.RunDrillTask).toMatchObject({ Resource: `${FAMILY_PREFIX}*`, Condition: { ArnEquals: { "ecs:cluster": CLUSTER } } });
    expect(bySid.PassTaskRoles.Resource).toEqual([expect.stringMatching(/:backup-drill-job-task$/), expect.stringMatching(/:backup-drill-job-execution$/)]);
    expect(bySid.DeadLetters).toMatchObject({ Action: "sqs:SendMessage", Resource: DLQ });
    expect(parseJsonInput(one(plan, "aws:iam/role:Role", "backup-drill-scheduler"), "assumeRolePolicy").Statement[0]).toMatchObject({
      Principal: { Service: "scheduler.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  it("alerts on a drill that exits non-zero or never starts", () => {
    const pattern = parseJsonInput(one(plan, "aws:cloudwatch/eventRule:EventRule"), "eventPattern");
    expect(pattern.detail).toEqual({
      clusterArn: [CLUSTER],
      taskDefinitionArn: [{ prefix: FAMILY_PREFIX }],
      lastStatus: ["STOPPED"],
      $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
    });
    expect(one(plan, "aws:cloudwatch/eventTarget:EventTarget").inputs).toMatchObject({ rule: "chatbot-test-backup-drill-failed", arn: TOPIC });
  });

  it("alarms after maxDays days without a successful drill, a day without one counting as failed", () => {
    const alarm = one(plan, ALARM).inputs;
    expect(alarm).toMatchObject({
      name: "chatbot-test-backup-drill-missing",
      namespace: "Chatbot/Backup",
      metricName: "RestoreDrillSuccess",
      dimensions: { Stack: "chatbot-test" },
      statistic: "Maximum",
      period: 86400,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      actionsEnabled: true,
      alarmActions: [TOPIC],
      okActions: [TOPIC],
    });
    expect(alarm.alarmDescription).toMatch(
      /^No successful restore drill of chatbot-test's backups for 3 days\. Runbook: https:\/\/example\.org\/runbooks.*backup-drill-missing/,
    );
  });

  it("gives its Sentry monitor the drill's crontab, and no backup or verify schedule", () => {
    const sentry = Object.fromEntries(Object.entries(envOf(plan)).filter(([k]) => k.endsWith("_SCHEDULE")));
    expect(sentry).toEqual({ SENTRY_DRILL_MONITOR_SCHEDULE: "30 5 * * 1" });
  });

  it("turned off, keeps its schedule DISABLED and its alarm silent", async () => {
    const off = await render({ enabled: false, sentry: undefined });
    expect(one(off, SCHEDULE).inputs.state).toBe("DISABLED");
    expect(one(off, ALARM).inputs.actionsEnabled).toBe(false);
    expect(Object.keys(envOf(off)).filter((k) => k.startsWith("SENTRY_"))).toEqual([]);
    expect(containerOf(off).secrets.map((s: any) => s.name)).toEqual(["DB_MASTER_SECRET"]);
  });
});
