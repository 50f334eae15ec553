/**
 * The scheduled restore drill in the plans of staging and prod (issue 16 item 8): its own task
 * (the backup image's `drill` command, the RDS master secret, read-only on the bucket), its
 * schedule from config, its failure rule, and the alarm when no drill succeeded for the
 * configured days.
 */
import { toCrontab } from "../components/backup/crontab";
import { validateConfig } from "../infra/config/validate";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

describe.each(["staging", "prod"])("restore drill of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, any>;
  let task: PlanResource;
  let container: any;
  const p = `chatbot-${stack}`;

  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = validateConfig("chatbot", stack, rendered.config.config, new Set(rendered.config.secretKeys)).settings;
    task = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === `${p}-backup-drill`)!;
    [container] = parseJsonInput<any[]>(task, "containerDefinitions");
  });

  it("runs the backup image's drill command against the stack's own instance, verifying its certificate", () => {
    const backup = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family === `${p}-backup`)!;
    expect(container.image).toBe(parseJsonInput<any[]>(backup, "containerDefinitions")[0].image);
    expect(container.command).toEqual(["drill", "--from", "latest", "--max-age", `${config.backupVerifyMaxAgeHours}h`]);
    const env = Object.fromEntries((container.environment as any[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      PGHOST: `${p}-postgres.abcdefghijkl.eu-central-1.rds.amazonaws.com`,
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: "/etc/ssl/certs/rds-global-bundle.pem",
      DRILL_METRIC_NAMESPACE: "Chatbot/Backup",
      DRILL_METRIC_STACK: p,
      SENTRY_MONITOR_SLUG: `${p}-backup`,
      SENTRY_DRILL_MONITOR_SCHEDULE: toCrontab(config.backupDrillSchedule),
      BACKUP_DEADLINE_SECONDS: String(config.backupDeadlineMinutes * 60),
    });
    const secrets = Object.fromEntries((container.secrets as any[]).map((s) => [s.name, s.valueFrom]));
    expect(Object.keys(secrets).sort()).toEqual(["DB_MASTER_SECRET", "SENTRY_DSN"]);
    expect(secrets.DB_MASTER_SECRET).toMatch(/:secret:rds!/);
    // The nightly backup task never sees the master secret.
    const backupSecrets = parseJsonInput<any[]>(backup, "containerDefinitions")[0].secrets.map((s: any) => s.name);
    expect(backupSecrets).not.toContain("DB_MASTER_SECRET");
  });

  it("may read and list the backups and report its metrics, and write nothing to the bucket", () => {
    const policy = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((r) => r.name === "backup-drill-job-task")!;
    const statements = parseJsonInput(policy, "policy").Statement as any[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual(["cloudwatch:PutMetricData", "kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    const metrics = statements.find((s) => s.Action === "cloudwatch:PutMetricData");
    expect(metrics.Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "Chatbot/Backup" } });
  });

  it("is scheduled from config in the backup group, with retries and the dead-letter queue", () => {
    const s = one(plan, "aws:scheduler/schedule:Schedule", "backup-drill-schedule");
    expect(s.inputs).toMatchObject({
      name: `${p}-backup-drill`,
      scheduleExpression: config.backupDrillSchedule,
      scheduleExpressionTimezone: config.backupScheduleTimezone,
      state: "ENABLED",
    });
    expect(s.inputs.groupName).toBe(one(plan, "aws:scheduler/scheduleGroup:ScheduleGroup").inputs.name);
    const target = s.inputs.target as any;
    expect(target.deadLetterConfig.arn).toBe((one(plan, "aws:scheduler/schedule:Schedule", "backup-backup").inputs.target as any).deadLetterConfig.arn);
    expect(target.ecsParameters.taskDefinitionArn).toContain(`${p}-backup-drill`);
    expect(target.ecsParameters.networkConfiguration.assignPublicIp).toBe(false);
  });

  it("alarms when no drill succeeded for backupDrillMaxDays days, missing data counting as failure", () => {
    const a = one(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", "backup-drill-missing");
    expect(a.inputs).toMatchObject({
      namespace: "Chatbot/Backup",
      metricName: "RestoreDrillSuccess",
      dimensions: { Stack: p },
      statistic: "Maximum",
      period: 86400,
      evaluationPeriods: config.backupDrillMaxDays,
      datapointsToAlarm: config.backupDrillMaxDays,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      actionsEnabled: true,
    });
    // CloudWatch evaluates at most 7 days (PutMetricAlarm: Period x EvaluationPeriods <= 604,800 s).
    expect((a.inputs.period as number) * (a.inputs.evaluationPeriods as number)).toBeLessThanOrEqual(604_800);
    expect(a.inputs.alarmDescription).toMatch(/docs\/runbooks\/backup-drill-missing\.md$/);
    const rule = one(plan, "aws:cloudwatch/eventRule:EventRule", "backup-drill-failed");
    expect(JSON.parse(rule.inputs.eventPattern as string).detail.taskDefinitionArn[0].prefix).toContain(`task-definition/${p}-backup-drill:`);
  });
});
