import { toCrontab } from "../components/backup/crontab";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { CHROMA_MOUNT } from "../components/backup/backupSchedule";
import { validateConfig } from "../infra/config/validate";
import { secretLooking } from "../policy/rules/ecs";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

const SCHEDULE = "aws:scheduler/schedule:Schedule";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const ACCOUNT = "123456789012";
const REGION = "eu-central-1";

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** EventBridge pattern matching, for the operators the failure rule uses (exact, prefix, anything-but, $or). */
function matches(pattern: Record<string, any>, event: any): boolean {
  return Object.entries(pattern).every(([key, p]) => {
    if (key === "$or") return (p as any[]).some((alt) => matches(alt, event));
    const value = event?.[key];
    if (!Array.isArray(p)) {
      return value !== undefined && (Array.isArray(value) ? value.some((v) => matches(p, v)) : matches(p, value));
    }
    return asArray(value).some(
      (v) =>
        v !== undefined &&
        p.some((rule: any) => {
          if (rule && typeof rule === "object" && "prefix" in rule) return typeof v === "string" && v.startsWith(rule.prefix);
          if (rule && typeof rule === "object" && "anything-but" in rule) return v !== rule["anything-but"];
          return rule === v;
        }),
    );
  });
}

describe.each(["staging", "prod"])("backup job and schedule of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, any>;
  let task: PlanResource;
  let container: any;
  const prefix = `chatbot-${stack}`;
  const bucketArn = `arn:aws:s3:::chatbot-${stack}-backups-123456789012-eu-central-1`;
  const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:backup-bucket-key`;
  const familyArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/chatbot-${stack}-backup`;
  const policyOf = (name: string) => parseJsonInput(one(plan, POLICY, name), "policy").Statement as any[];
  const schedule = (name: string) => one(plan, SCHEDULE, name);

  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = validateConfig("chatbot", stack, rendered.config.config, new Set(rendered.config.secretKeys)).settings;
    task = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === `chatbot-${stack}-backup`)!;
    [container] = parseJsonInput<any[]>(task, "containerDefinitions");
  });

  it("runs the backup job image with the env contract of jobs/backup and secrets only from Secrets Manager", () => {
    expect(container.image).toMatch(new RegExp(`chatbot-${stack}-backup-job@sha256:[0-9a-f]{64}$`));
    expect(container.command).toEqual(["backup"]);
    const env = Object.fromEntries((container.environment as any[]).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      BACKUP_BUCKET: `chatbot-${stack}-backups-123456789012-eu-central-1`,
      BACKUP_PREFIX: prefix,
      AWS_REGION: REGION,
      BACKUP_KMS_KEY_ID: keyArn,
      CHROMA_DATA_DIR: CHROMA_MOUNT,
      SENTRY_MONITOR_SLUG: `chatbot-${stack}-backup`,
      // Sentry's monitor gets the schedule the stack runs the job on.
      SENTRY_MONITOR_SCHEDULE: toCrontab(config.backupSchedule),
      SENTRY_VERIFY_MONITOR_SCHEDULE: toCrontab(config.backupVerifySchedule),
      SENTRY_MONITOR_TIMEZONE: config.backupScheduleTimezone,
      // The bounds are stack config (issue 16 item 1); Sentry's timeout sits 10 minutes above the job's own.
      BACKUP_DEADLINE_SECONDS: String(config.backupDeadlineMinutes * 60),
      SENTRY_MONITOR_MAX_RUNTIME_MINUTES: String(config.backupDeadlineMinutes + 10),
      BACKUP_MIN_ROWS: String(config.backupMinRows),
      BACKUP_MAX_SHRINK_PERCENT: String(config.backupMaxShrinkPercent),
    });
    const secrets = Object.fromEntries((container.secrets as any[]).map((s) => [s.name, s.valueFrom]));
    expect(secrets.DATABASE_URL).toMatch(/postgres-backup:url::$/);
    expect(secrets.SENTRY_DSN).toMatch(/backup-job-dsn$/);
    expect(Object.keys(secrets).sort()).toEqual(["DATABASE_URL", "SENTRY_DSN"]);
  });

  it("mounts Chroma's access point over TLS with IAM (writable, for SQLite's locks), and /tmp as scratch", () => {
    const volumes = task.inputs.volumes as any[];
    const efs = volumes.find((v) => v.efsVolumeConfiguration);
    expect(efs.efsVolumeConfiguration).toMatchObject({
      fileSystemId: "chroma-fs-id",
      transitEncryption: "ENABLED",
      authorizationConfig: { accessPointId: "chroma-ap-id", iam: "ENABLED" },
    });
    const mounts = container.mountPoints as any[];
    expect(mounts.find((m) => m.sourceVolume === efs.name)).toEqual({ sourceVolume: efs.name, containerPath: CHROMA_MOUNT, readOnly: false });
    expect(
      mounts
        .filter((m) => !m.readOnly)
        .map((m) => m.containerPath)
        .sort(),
    ).toEqual([CHROMA_MOUNT, "/tmp"]);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(task.inputs.ephemeralStorage).toEqual({ sizeInGib: config.backupEphemeralStorageGb });
  });

  it("lets the task write, read and list only its prefix, with the bucket's key, and delete nothing", () => {
    const statements = policyOf("backup-job-task");
    const actions = statements.flatMap((s) => asArray<string>(s.Action));
    for (const a of actions) expect(a).not.toMatch(/^(\*|s3:\*|s3:Delete.*|s3:PutBucket.*|s3:PutObjectRetention|s3:BypassGovernanceRetention|kms:\*)$/);
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);

    const s3 = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith("s3:")));
    for (const s of s3) {
      const resources = asArray<string>(s.Resource);
      if (asArray<string>(s.Action).includes("s3:ListBucket")) {
        expect(resources).toEqual([bucketArn]);
        expect(Object.values(s.Condition).flatMap((c: any) => asArray(c["s3:prefix"]))).toEqual([`${prefix}/*`]);
      } else {
        expect(resources).toEqual([`${bucketArn}/${prefix}/*`]);
      }
    }
    expect(actions).toEqual(expect.arrayContaining(["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject", "s3:ListBucket"]));
    const kms = statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith("kms:")));
    expect(kms.flatMap((s) => asArray(s.Resource))).toEqual([keyArn]);
    const mount = statements.find((s) => asArray<string>(s.Action).includes("elasticfilesystem:ClientMount"));
    expect(mount.Condition.StringEquals["elasticfilesystem:AccessPointArn"]).toMatch(/access-point\/chroma-ap-id$/);
  });

  it("lets the execution role pull its image, read exactly the job's two secrets and write its own log group", () => {
    const statements = policyOf("backup-job-execution");
    const read = statements.find((s) => s.Action === "secretsmanager:GetSecretValue");
    const arns = (container.secrets as any[]).map((s) => s.valueFrom.replace(/:url::$/, ""));
    expect([...read.Resource].sort()).toEqual(arns.sort());
    const pull = statements.find((s) => asArray<string>(s.Action).includes("ecr:BatchGetImage"));
    expect(pull.Resource).toBe(`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${prefix}-backup-job`);
    const logs = statements.find((s) => asArray<string>(s.Action).includes("logs:PutLogEvents"));
    expect(logs.Resource).toMatch(/:backup-job-logs:log-stream:\*$/);
  });

  it("schedules the daily backup and the weekly verify from config, with retries and a dead-letter queue", () => {
    const dlq = one(plan, "aws:sqs/queue:Queue", "backup-dlq");
    expect(dlq.inputs.sqsManagedSseEnabled).toBe(true);
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"))
      .map((s) => `${s.name}-id`);
    for (const [name, expression] of [
      ["backup-backup", config.backupSchedule],
      ["backup-backup-verify", config.backupVerifySchedule],
    ]) {
      const s = schedule(name);
      expect(s.inputs.scheduleExpression).toBe(expression);
      expect(s.inputs.scheduleExpressionTimezone).toBe(config.backupScheduleTimezone);
      expect(s.inputs.state).toBe(config.backupEnabled ? "ENABLED" : "DISABLED");
      const target = s.inputs.target as any;
      expect(target.arn).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:ecs-cluster`);
      expect(target.retryPolicy.maximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(target.retryPolicy.maximumEventAgeInSeconds).toBeGreaterThan(0);
      expect(target.deadLetterConfig.arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:backup-dlq`);
      expect(target.ecsParameters).toMatchObject({ launchType: "FARGATE", taskDefinitionArn: `${familyArn}:1`, taskCount: 1 });
      expect(target.ecsParameters.networkConfiguration.assignPublicIp).toBe(false);
      expect(target.ecsParameters.networkConfiguration.securityGroups).toEqual(["network-jobs-sg-id"]);
      expect([...target.ecsParameters.networkConfiguration.subnets].sort()).toEqual(privateSubnets.sort());
    }
    expect(schedule("backup-backup").inputs.target).not.toHaveProperty("input");
    expect(JSON.parse((schedule("backup-backup-verify").inputs.target as any).input)).toEqual({
      containerOverrides: [{ name: container.name, command: ["verify", "--from", "latest", "--max-age", `${config.backupVerifyMaxAgeHours}h`] }],
    });
  });

  it("gives the scheduler RunTask on the backup family only, PassRole on exactly its two roles, and the DLQ", () => {
    const statements = policyOf("backup-scheduler");
    const runTask = statements.find((s) => s.Action === "ecs:RunTask");
    expect(runTask.Resource).toBe(`${familyArn}:*`);
    expect(`${familyArn}:1`.startsWith(runTask.Resource.slice(0, -1))).toBe(true);
    const pass = statements.find((s) => s.Action === "iam:PassRole");
    expect([...pass.Resource].sort()).toEqual([task.inputs.executionRoleArn, task.inputs.taskRoleArn].sort());
    expect(statements.find((s) => s.Action === "sqs:SendMessage").Resource).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:backup-dlq`);
    const role = one(plan, "aws:iam/role:Role", "backup-scheduler");
    expect(parseJsonInput(role, "assumeRolePolicy").Statement[0].Principal).toEqual({ Service: "scheduler.amazonaws.com" });
  });

  it("alerts the topic when a backup or verify task exits non-zero or fails to start, and on dead letters", () => {
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts-topic`;
    const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "backup-failed");
    const pattern = parseJsonInput(rule, "eventPattern");
    const cluster = `arn:aws:ecs:${REGION}:${ACCOUNT}:ecs-cluster`;
    const event = (detail: Record<string, unknown>) => ({
      source: "aws.ecs",
      "detail-type": "ECS Task State Change",
      detail: {
        clusterArn: cluster,
        taskDefinitionArn: `${familyArn}:7`,
        lastStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        containers: [{ name: "backup", exitCode: 1 }],
        ...detail,
      },
    });
    expect(matches(pattern, event({}))).toBe(true);
    expect(matches(pattern, event({ containers: [{ name: "backup", exitCode: 137 }] }))).toBe(true);
    expect(matches(pattern, event({ containers: [{ name: "backup" }], stopCode: "TaskFailedToStart" }))).toBe(true);
    expect(matches(pattern, event({ containers: [{ name: "backup", exitCode: 0 }] }))).toBe(false);
    expect(matches(pattern, event({ lastStatus: "RUNNING" }))).toBe(false);
    expect(matches(pattern, event({ taskDefinitionArn: `${familyArn.replace(/-backup$/, "-db-init")}:3` }))).toBe(false);
    expect(matches(pattern, event({ taskDefinitionArn: `${familyArn}-other:1` }))).toBe(false);
    expect(matches(pattern, event({ clusterArn: `${cluster}-other` }))).toBe(false);

    const target = ofType(plan, "aws:cloudwatch/eventTarget:EventTarget").find((t) => t.inputs.rule === rule.inputs.name)!;
    expect(target.inputs.arn).toBe(topic);
    // The alert topic lets EventBridge publish (its policy is the monitoring part's).
    const topicPolicy = parseJsonInput(one(plan, "aws:sns/topicPolicy:TopicPolicy"), "policy");
    expect(
      (topicPolicy.Statement as any[]).some((s) => asArray(s.Principal?.Service).includes("events.amazonaws.com") && asArray(s.Action).includes("sns:Publish")),
    ).toBe(true);

    const alarm = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "backup-dlq");
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      dimensions: { QueueName: `chatbot-${stack}-backup-schedule-dlq` },
      alarmActions: [topic],
    });
  });

  it("puts no secret value in any task definition's environment", () => {
    const definitions = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition");
    expect(definitions.length).toBeGreaterThanOrEqual(5);
    for (const td of definitions) {
      expect(td.inputs.containerDefinitions).not.toBe("[secret]");
      for (const c of parseJsonInput<any[]>(td, "containerDefinitions")) {
        for (const e of c.environment ?? []) expect([td.inputs.family, e.name, secretLooking(e.name, e.value)]).toEqual([td.inputs.family, e.name, undefined]);
      }
    }
  });
});

describe("backups turned off", () => {
  it("keeps both schedules, DISABLED, and everything else as it was", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-off-"));
    try {
      const file = path.join(dir, "Pulumi.staging.yaml");
      const yaml = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.staging.yaml"), "utf8"));
      yaml.config["chatbot:backupEnabled"] = false;
      fs.writeFileSync(file, YAML.stringify(yaml));
      const { plan } = await planFor("staging", { configFile: file });
      const schedules = ofType(plan, SCHEDULE);
      expect(schedules.map((s) => [s.name, s.inputs.state]).sort()).toEqual([
        ["backup-backup", "DISABLED"],
        ["backup-backup-verify", "DISABLED"],
        ["backup-drill-schedule", "DISABLED"],
      ]);
      // Without drills to expect, the no-drill alarm pages nobody.
      expect(one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "backup-drill-missing").inputs.actionsEnabled).toBe(false);
      expect(ofType(plan, "aws:cloudwatch/eventRule:EventRule").some((r) => r.name === "backup-failed")).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
