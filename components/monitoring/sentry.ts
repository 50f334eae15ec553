import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as sentry from "@pulumiverse/sentry";
import { kmsKey } from "../shared/kmsKey";
import { storedSecret } from "../shared/storedSecret";

/** The services that report to Sentry: key = how Args/outputs name it, value = Sentry project suffix. */
export const SENTRY_SERVICES = {
  api: "api",
  telegramBot: "telegram-bot",
  discordBot: "discord-bot",
  backupJob: "backup-job",
} as const;
export type SentryService = keyof typeof SENTRY_SERVICES;

/** What the provider talks to when no `baseUrl` is set (we set none). */
export const SENTRY_API = "https://sentry.io/api/0";

export interface SentryArgs {
  /** `<project>-<stack>`; project slugs are `<namePrefix>-<service>`. */
  namePrefix: string;
  /** Sentry organization slug. */
  organization: string;
  /** Team (slug) that owns the projects and gets the e-mail alerts. */
  team: string;
  /** Auth token of the Sentry provider and of the scrubbing call (secret). */
  authToken: pulumi.Input<string>;
  /** Slack integration id alerts go to; empty sends e-mail to the team. */
  alertIntegrationId: string;
  /** Slack channel of that integration (e.g. `#alerts`); used only with alertIntegrationId. */
  alertSlackChannel: string;
  /** Events of one issue within 5 minutes that count as a spike. */
  errorSpikeEvents: number;
  /** Extra field names Sentry scrubs server-side (on top of its defaults). */
  sensitiveFields: string[];
  /** `protect` + `retainOnDelete` on the projects (issue history) and the DSN key. */
  protect: boolean;
  /**
   * Name prefix of another stack whose projects this stack reports to (its events tell themselves
   * apart by environment); empty creates this stack's own projects, keys and alert rules.
   */
  shareProjectsOf: string;
}

/** Settings of Sentry's "Update a project" API that the 0.0.9 provider does not expose. */
function scrubbingSettings(sensitiveFields: string[]) {
  return { dataScrubber: true, dataScrubberDefaults: true, scrubIPAddresses: true, sensitiveFields, safeFields: [] as string[] };
}

// Runs with the deploying machine's node (the one running this program): no curl, no extra tool.
// Prints the HTTP status only: neither the token nor the response body reaches the logs.
const PUT_SETTINGS = [
  "fetch(process.env.SENTRY_PROJECT_URL, { method: 'PUT',",
  "  headers: { Authorization: 'Bearer ' + process.env.SENTRY_AUTH_TOKEN, 'Content-Type': 'application/json' },",
  "  body: process.env.SENTRY_PROJECT_SETTINGS })",
  ".then((r) => { if (!r.ok) { console.error('Sentry refused the scrubbing settings: HTTP ' + r.status); process.exit(1); }",
  "  console.log('Sentry scrubbing settings applied'); })",
  ".catch((e) => { console.error('Sentry scrubbing settings: ' + e.message); process.exit(1); });",
].join("\n");

/**
 * Sentry for the stack: a project, client key and issue alert rule per service, server-side PII
 * scrubbing on every project, and each DSN in its own KMS-encrypted Secrets Manager secret so it
 * reaches its service only as an ECS `secrets` entry.
 */
export class Sentry extends pulumi.ComponentResource {
  /** Secrets Manager ARN of each service's DSN; give each service only its own. */
  readonly dsnSecretArns: Record<SentryService, pulumi.Output<string>>;
  /** Current version of each DSN secret: services pin it, so a new DSN rolls that service. */
  readonly dsnSecretVersionIds: Record<SentryService, pulumi.Output<string>>;
  /** Key the DSN secrets are encrypted with: task execution roles need kms:Decrypt on it. */
  readonly dsnKmsKeyArn: pulumi.Output<string>;
  readonly projectSlugs: Record<SentryService, pulumi.Output<string>>;
  /**
   * Slug of the backup job's cron monitor (its SENTRY_MONITOR_SLUG), in the backup-job project.
   * Provider 0.0.9 has no monitor resource: Sentry creates the monitor on a check-in that carries
   * `monitor_config` (schedule, margin), or it is created once in Sentry's UI under this slug.
   */
  readonly backupMonitorSlug: string;

  constructor(name: string, args: SentryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:Sentry", name, {}, opts);
    const child = { parent: this };
    const provider = new sentry.Provider(`${name}-provider`, { token: pulumi.secret(args.authToken) }, child);
    const viaSentry = { parent: this, provider };
    const stateful = { protect: args.protect, retainOnDelete: args.protect };

    const key = kmsKey(`${name}-dsn-key`, {
      name: `${args.namePrefix}-sentry`,
      description: `${args.namePrefix}: encrypts the Sentry DSN secrets`,
    }, { ...child, ...stateful });

    const team = sentry.getSentryTeamOutput({ organization: args.organization, slug: args.team }, viaSentry);
    const actions = args.alertIntegrationId
      ? [{ id: "sentry.integrations.slack.notify_action.SlackNotifyServiceAction", workspace: args.alertIntegrationId, channel: args.alertSlackChannel }]
      : [{ id: "sentry.mail.actions.NotifyEmailAction", targetType: "Team", targetIdentifier: team.internalId }];

    const dsnSecretArns = {} as Record<SentryService, pulumi.Output<string>>;
    const dsnSecretVersionIds = {} as Record<SentryService, pulumi.Output<string>>;
    const projectSlugs = {} as Record<SentryService, pulumi.Output<string>>;
    for (const [service, suffix] of Object.entries(SENTRY_SERVICES) as [SentryService, string][]) {
      const shared = args.shareProjectsOf !== "";
      const slug = `${shared ? args.shareProjectsOf : args.namePrefix}-${suffix}`;
      const dsn = shared
        // A preview stack borrows the owner's DSN: no project, key or alert rule to create and clean up.
        ? pulumi.output(sentry.getSentryKeyOutput({ organization: args.organization, project: slug, first: true }, viaSentry)).dsnPublic
        : this.project(name, suffix, slug, args, actions, viaSentry, stateful);

      // Preview stacks re-create the same name right after a destroy; others keep the recovery window.
      // The DSN is re-creatable from Sentry: the secret and its version are not protected.
      const { arn, versionId } = storedSecret(`${name}-${suffix}-dsn`, {
        name: `${args.namePrefix}/sentry/${suffix}-dsn`,
        description: `Sentry DSN of ${slug}`,
        kmsKeyArn: key.arn, value: dsn, protect: args.protect, protectResources: false,
      }, this);
      dsnSecretArns[service] = arn;
      dsnSecretVersionIds[service] = versionId;
      projectSlugs[service] = pulumi.output(slug);
    }

    this.dsnSecretArns = dsnSecretArns;
    this.dsnSecretVersionIds = dsnSecretVersionIds;
    this.dsnKmsKeyArn = key.arn;
    this.projectSlugs = projectSlugs;
    this.backupMonitorSlug = `${args.namePrefix}-backup`;
    this.registerOutputs({ dsnSecretArns, dsnKmsKeyArn: this.dsnKmsKeyArn, projectSlugs });
  }

  /** This stack's own project for one service, with its scrubbing, client key and alert rule; returns the DSN. */
  private project(
    name: string, suffix: string, slug: string, args: SentryArgs, actions: pulumi.Input<any>[],
    viaSentry: pulumi.CustomResourceOptions, stateful: { protect: boolean; retainOnDelete: boolean },
  ): pulumi.Output<string> {
    const child = { parent: this };
    const project = new sentry.SentryProject(`${name}-${suffix}`, {
      organization: args.organization,
      teams: [args.team],
      name: slug,
      slug,
    }, { ...viaSentry, ...stateful });

    // The provider has no scrubbing arguments; Sentry's project API has. Re-applied whenever
    // the fields change (the settings are inputs of this resource).
    new command.local.Command(`${name}-${suffix}-scrubbing`, {
      interpreter: ["node", "-e"],
      create: PUT_SETTINGS,
      environment: {
        SENTRY_PROJECT_URL: pulumi.interpolate`${SENTRY_API}/projects/${args.organization}/${project.slug}/`,
        SENTRY_PROJECT_SETTINGS: JSON.stringify(scrubbingSettings(args.sensitiveFields)),
        SENTRY_AUTH_TOKEN: pulumi.secret(args.authToken),
      },
      addPreviousOutputInEnv: false,
    }, child);

    const clientKey = new sentry.SentryKey(`${name}-${suffix}-key`, {
      organization: args.organization,
      project: project.slug,
      name: slug,
    }, viaSentry);

    new sentry.SentryIssueAlert(`${name}-${suffix}-issues`, {
      organization: args.organization,
      project: project.slug,
      name: `${slug}: new, regressed or spiking issue`,
      actionMatch: "any",
      filterMatch: "all",
      // Sentry's default: one notification per issue per 30 minutes, however often it fires.
      frequency: 30,
      conditions: [
        { id: "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition" },
        { id: "sentry.rules.conditions.regression_event.RegressionEventCondition" },
        { id: "sentry.rules.conditions.event_frequency.EventFrequencyCondition", comparisonType: "count", value: String(args.errorSpikeEvents), interval: "5m" },
      ],
      actions,
    }, viaSentry);
    return clientKey.dsnPublic;
  }
}
