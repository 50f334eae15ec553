import { bool, int, str } from "../spec";

export const monitoringKeys = {
  sentryOrganization: str({ description: "Sentry organization slug.", pattern: /^[a-z0-9][a-z0-9_-]*$/, allowed: "a Sentry slug" }),
  sentryTeam: str({ description: "Sentry team that owns the projects.", pattern: /^[a-z0-9][a-z0-9_-]*$/, allowed: "a Sentry slug" }),
  sentryUrl: str({
    description:
      "Sentry's address: https://sentry.io, a data-storage region such as https://de.sentry.io, or a self-hosted Sentry; the API is under /api/0. Plain http only to loopback (tests).",
    default: "https://sentry.io",
    pattern: /^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?)$/,
    allowed: "https://<host>[:port] with no path or trailing slash (http only to 127.0.0.1 or localhost)",
  }),
  sentryShareProjectsOf: str({
    description:
      "Report to another stack's Sentry projects (its `<project>-<stack>` prefix, e.g. chatbot-staging) through the key that stack made for previews (sentryPreviewKeys), told apart by environment, instead of creating projects, keys and alerts. For preview stacks.",
    default: "",
    pattern: /^$|^[a-z0-9][a-z0-9-]*$/,
    allowed: "empty or a stack name prefix such as chatbot-staging",
  }),
  sentryPreviewKeys: bool({
    description:
      "Create a second client key per Sentry project, `<project slug>-previews`, for the preview stacks that share this stack's projects (sentryShareProjectsOf); revoking it cuts off previews only.",
    default: false,
  }),
  sentryAlertIntegrationId: str({
    description: "Sentry Slack integration (workspace) id issue alerts go to; empty sends e-mail to the team.",
    default: "",
    pattern: /^\d*$/,
    allowed: "empty or a numeric integration id",
  }),
  sentryAlertSlackChannel: str({
    description: "Slack channel of sentryAlertIntegrationId that gets the issue alerts; required with it.",
    default: "",
    pattern: /^$|^#[\w-]+$/,
    allowed: "empty or a Slack channel such as #alerts",
  }),
  sentryErrorSpikeEvents: int({ description: "Events of one issue within 5 minutes that raise a Sentry spike alert.", default: 100, min: 1 }),
  alarmEvaluationMinutes: int({
    description: "Consecutive 1-minute periods in breach before an alarm fires (outage alarmed within 5 minutes).",
    default: 3,
    min: 1,
    max: 5,
  }),
  alarmAlb5xxPercent: int({ description: "ALB 5xx responses, % of requests.", default: 5, min: 1, max: 100 }),
  alarmTargetResponseMs: int({ description: "API p95 target response time (ms).", default: 2000, min: 100 }),
  alarmCpuPercent: int({ description: "ECS service, RDS and Redis CPU (%).", default: 80, min: 10, max: 100 }),
  alarmMemoryPercent: int({ description: "ECS service and Redis memory (%).", default: 80, min: 10, max: 100 }),
  alarmDbFreeStorageGb: int({ description: "RDS free storage floor (GiB).", default: 5, min: 1 }),
  alarmDbConnections: int({ description: "RDS connection count ceiling.", default: 150, min: 1 }),
  alarmDbReplicaLagSeconds: int({ description: "RDS replica lag ceiling (s).", default: 30, min: 1 }),
  alarmRedisEvictionsPerMinute: int({ description: "Redis evictions per minute ceiling.", default: 500, min: 1 }),
  alarmCacheHitRateFloorPercent: int({ description: "Redis hit rate floor (%); the target is 60%+.", default: 60, min: 1, max: 100 }),
  alarmEfsBurstCreditFloorGb: int({ description: "EFS burst credit balance floor (GiB).", default: 100, min: 1 }),
};
