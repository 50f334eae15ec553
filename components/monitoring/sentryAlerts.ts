/**
 * The alerts of each Sentry project, as bodies of Sentry's "Create an Alert" API (workflow engine,
 * docs.sentry.io/api/monitors/). Two alerts per project because a workflow's triggers gate its
 * filters: "new or regressed" is a trigger, "more than N events in 5 minutes" a filter that must
 * be evaluated on every event.
 */

/** Names Sentry gives the alert it creates with every project (src/sentry/receivers/rules.py, old and current). */
export const SENTRY_DEFAULT_ALERT_NAMES = ["Send a notification for high priority issues", "Send a notification for new issues"];

/** Where alerts go: the owning team by e-mail, or a Slack channel of an installed integration. */
export type AlertTarget = { kind: "team"; teamId: string } | { kind: "slack"; integrationId: string; channel: string };

// Sentry's default: at most one notification per issue per 30 minutes, however often it fires.
const FREQUENCY_MINUTES = 30;

export function alertAction(target: AlertTarget): Record<string, unknown> {
  return target.kind === "team"
    ? { type: "email", integrationId: null, data: {}, config: { targetType: "team", targetIdentifier: target.teamId, targetDisplay: null } }
    : {
        type: "slack",
        integrationId: target.integrationId,
        data: {},
        config: { targetType: "specific", targetIdentifier: null, targetDisplay: target.channel },
      };
}

const trigger = (type: string) => ({ type, comparison: true, conditionResult: true });

export interface ProjectAlertsArgs {
  slug: string;
  /** Only events of this environment (the stack's SENTRY_ENVIRONMENT) fire the alerts. */
  environment: string;
  spikeEvents: number;
  target: AlertTarget;
}

/** The two alert bodies of one project, keyed by the suffix of their resource names. */
export function projectAlerts(args: ProjectAlertsArgs): { issues: Record<string, unknown>; spikes: Record<string, unknown> } {
  const common = { enabled: true, environment: args.environment, config: { frequency: FREQUENCY_MINUTES } };
  const notify = { logicType: "all", conditions: [], actions: [alertAction(args.target)] };
  return {
    issues: {
      name: `${args.slug}: new or regressed issue (${args.environment})`,
      ...common,
      triggers: { logicType: "any-short", conditions: [trigger("first_seen_event"), trigger("regression_event"), trigger("reappeared_event")], actions: [] },
      actionFilters: [notify],
    },
    spikes: {
      name: `${args.slug}: spiking issue (${args.environment})`,
      ...common,
      // No trigger condition: the filter is evaluated on every event of the issue stream.
      triggers: { logicType: "any-short", conditions: [], actions: [] },
      actionFilters: [
        { ...notify, conditions: [{ type: "event_frequency_count", comparison: { value: args.spikeEvents, interval: "5min" }, conditionResult: true }] },
      ],
    },
  };
}
