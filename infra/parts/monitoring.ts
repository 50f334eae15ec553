import * as pulumi from "@pulumi/pulumi";
import { Alarms } from "../../components/monitoring/alarms";
import { Alerts } from "../../components/monitoring/alerts";
import { Dashboard } from "../../components/monitoring/dashboard";
import { ImageFindings } from "../../components/monitoring/imageFindings";
import { MonitoredResources } from "../../components/monitoring/monitored";
import { Operations } from "../../components/monitoring/operations";
import { Sentry } from "../../components/monitoring/sentry";
import { StackConfig } from "../config";

/** Declared first: containers take their Sentry DSN secrets, the backup job its alert topic. */
export function alertingPart(cfg: StackConfig, opts: pulumi.ComponentResourceOptions) {
  const alerts = new Alerts(
    "alerts",
    { namePrefix: cfg.namePrefix, email: cfg.alertEmail, webhookUrl: cfg.alertWebhookUrl, protect: cfg.protectStatefulResources },
    opts,
  );
  const sentry = new Sentry(
    "sentry",
    {
      namePrefix: cfg.namePrefix,
      environment: cfg.stack,
      url: cfg.sentryUrl,
      organization: cfg.sentryOrganization,
      team: cfg.sentryTeam,
      authToken: cfg.secrets.sentryAuthToken,
      alertIntegrationId: cfg.sentryAlertIntegrationId,
      alertSlackChannel: cfg.sentryAlertSlackChannel,
      errorSpikeEvents: cfg.sentryErrorSpikeEvents,
      protect: cfg.protectStatefulResources,
      shareProjectsOf: cfg.sentryShareProjectsOf,
      previewKeys: cfg.sentryPreviewKeys,
    },
    opts,
  );
  return { alerts, sentry };
}

export interface WatchInputs {
  topicArn: pulumi.Output<string>;
  resources: MonitoredResources;
  serviceLogGroups: Record<string, pulumi.Output<string>>;
  wafLogGroup: pulumi.Output<string>;
}

/** Declared last: alarms, the dashboard and saved queries watch what the other parts built. */
export function watchPart(cfg: StackConfig, inputs: WatchInputs, opts: pulumi.ComponentResourceOptions) {
  const thresholds = {
    alb5xxPercent: cfg.alarmAlb5xxPercent,
    targetResponseMs: cfg.alarmTargetResponseMs,
    cpuPercent: cfg.alarmCpuPercent,
    memoryPercent: cfg.alarmMemoryPercent,
    dbFreeStorageGb: cfg.alarmDbFreeStorageGb,
    dbConnections: cfg.alarmDbConnections,
    dbReplicaLagSeconds: cfg.alarmDbReplicaLagSeconds,
    redisEvictionsPerMinute: cfg.alarmRedisEvictionsPerMinute,
    cacheHitRateFloorPercent: cfg.alarmCacheHitRateFloorPercent,
    efsBurstCreditFloorGb: cfg.alarmEfsBurstCreditFloorGb,
  };
  new Alarms(
    "alarms",
    {
      namePrefix: cfg.namePrefix,
      topicArn: inputs.topicArn,
      evaluationMinutes: cfg.alarmEvaluationMinutes,
      thresholds,
      resources: inputs.resources,
      runbookBaseUrl: cfg.runbookBaseUrl,
    },
    opts,
  );
  const dashboard = new Dashboard("dashboard", { namePrefix: cfg.namePrefix, region: cfg.region, thresholds, resources: inputs.resources }, opts);
  // Inspector's findings on the stack's images page like the alarms (issue 18).
  new ImageFindings("image-findings", { namePrefix: cfg.namePrefix, topicArn: inputs.topicArn, runbookBaseUrl: cfg.runbookBaseUrl }, opts);
  // Saved log queries for on-call and the stack's monthly budget (issue 17).
  new Operations(
    "operations",
    {
      namePrefix: cfg.namePrefix,
      stack: cfg.stack,
      serviceLogGroups: inputs.serviceLogGroups,
      wafLogGroup: inputs.wafLogGroup,
      slowRequestMs: cfg.alarmTargetResponseMs,
      budgetMonthlyUsd: cfg.budgetMonthlyUsd,
      budgetAlertEmails: cfg.budgetAlertEmails,
    },
    opts,
  );
  return { dashboard };
}
