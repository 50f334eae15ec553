import * as pulumi from "@pulumi/pulumi";
import * as sentry from "@pulumiverse/sentry";
import { kmsKey } from "../shared/kmsKey";
import { storedSecret } from "../shared/storedSecret";
import { AlertTarget, projectAlerts, SENTRY_DEFAULT_ALERT_NAMES } from "./sentryAlerts";
import { SentryAlertWorkflow, SentryApiArgs, SentryDefaultAlertsRemoval, SentryProjectSettings } from "./sentryApi/resources";

/** The services that report to Sentry: key = how Args/outputs name it, value = Sentry project suffix. */
export const SENTRY_SERVICES = { api: "api", telegramBot: "telegram-bot", discordBot: "discord-bot", backupJob: "backup-job" } as const;
export type SentryService = keyof typeof SENTRY_SERVICES;

/** sentry.io's own host; the bridged provider's default when it is given no `baseUrl`. */
export const SENTRY_URL = "https://sentry.io";

/** The client key a project's owner creates for preview stacks: a key of its own, revocable apart from the owner's. */
export function previewKeyName(projectSlug: string): string {
  return `${projectSlug}-previews`;
}

export interface SentryArgs {
  /** `<project>-<stack>`; project slugs are `<namePrefix>-<service>`. */
  namePrefix: string;
  /** The stack's SENTRY_ENVIRONMENT: every alert fires only on events of this environment. */
  environment: string;
  /** Sentry's web address (`https://sentry.io`, `https://de.sentry.io`, a self-hosted one); the API is under /api/0. */
  url: string;
  /** Sentry organization slug. */
  organization: string;
  /** Team (slug) that owns the projects and gets the e-mail alerts. */
  team: string;
  /** Auth token of the Sentry provider and of the Sentry API resources (secret). */
  authToken: pulumi.Input<string>;
  /** Slack integration id alerts go to; empty sends e-mail to the team. */
  alertIntegrationId: string;
  /** Slack channel of that integration (e.g. `#alerts`); used only with alertIntegrationId. */
  alertSlackChannel: string;
  /** Events of one issue within 5 minutes that count as a spike. */
  errorSpikeEvents: number;
  /** `protect` + `retainOnDelete` on the projects (issue history) and the DSN key. */
  protect: boolean;
  /**
   * Name prefix of another stack whose projects this stack reports to (its events tell themselves
   * apart by environment), through the key that stack made for previews; empty creates this
   * stack's own projects, keys and alerts.
   */
  shareProjectsOf: string;
  /** Create a second client key per project for preview stacks (previewKeyName); for the stack previews share. */
  previewKeys: boolean;
}

/**
 * Fields Sentry scrubs server-side on top of its defaults: the personal and wallet data the app
 * handles. The same in every stack, since a stack that scrubbed fewer would keep users' data in
 * Sentry; adding a field is a code change. Was the `sentrySensitiveFields` key (infra/config/keys/retired.ts).
 */
export const SCRUBBED_FIELDS: readonly string[] = ["email", "wallet_address", "private_key", "seed_phrase", "mnemonic", "authorization"];

/** Settings of Sentry's "Update a project" API that the 0.0.9 provider does not expose. */
function scrubbingSettings(sensitiveFields: readonly string[]) {
  return { dataScrubber: true, dataScrubberDefaults: true, scrubIPAddresses: true, sensitiveFields: [...sensitiveFields], safeFields: [] as string[] };
}

/**
 * Sentry for the stack: a project, client key and two alerts per service (new or regressed; a
 * spike), limited to the stack's environment, server-side PII scrubbing on every project, Sentry's
 * own default alert removed, and each DSN in its own KMS-encrypted Secrets Manager secret so it
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
  /** Names of the preview keys this stack made (previewKeys), per service; empty otherwise. */
  readonly previewKeyNames: Partial<Record<SentryService, string>>;
  /**
   * Slug of the backup job's cron monitor (its SENTRY_MONITOR_SLUG), in the backup-job project.
   * Provider 0.0.9 has no monitor resource: the job's first check-in carries `monitor_config`
   * (schedule, margin) and Sentry creates or updates the monitor from it.
   */
  readonly backupMonitorSlug: string;

  constructor(name: string, args: SentryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:monitoring:Sentry", name, {}, opts);
    const child = { parent: this };
    // The default URL is left implicit, as stacks created before the key was added have it.
    const baseUrl = args.url === SENTRY_URL ? {} : { baseUrl: `${args.url}/api/` };
    const provider = new sentry.Provider(`${name}-provider`, { token: pulumi.secret(args.authToken), ...baseUrl }, child);
    const viaSentry = { parent: this, provider };
    const stateful = { protect: args.protect, retainOnDelete: args.protect };
    const api: SentryApiArgs = { apiUrl: `${args.url}/api/0`, token: args.authToken, organization: args.organization };

    const key = kmsKey(
      `${name}-dsn-key`,
      { name: `${args.namePrefix}-sentry`, description: `${args.namePrefix}: encrypts the Sentry DSN secrets` },
      { ...child, ...stateful },
    );

    const shared = args.shareProjectsOf !== "";
    const target: pulumi.Output<AlertTarget> = args.alertIntegrationId
      ? pulumi.output({ kind: "slack", integrationId: args.alertIntegrationId, channel: args.alertSlackChannel } as AlertTarget)
      : sentry
          .getSentryTeamOutput({ organization: args.organization, slug: args.team }, viaSentry)
          .apply((team): AlertTarget => ({ kind: "team", teamId: team.internalId }));

    const dsnSecretArns = {} as Record<SentryService, pulumi.Output<string>>;
    const dsnSecretVersionIds = {} as Record<SentryService, pulumi.Output<string>>;
    const projectSlugs = {} as Record<SentryService, pulumi.Output<string>>;
    const previewKeyNames: Partial<Record<SentryService, string>> = {};
    for (const [service, suffix] of Object.entries(SENTRY_SERVICES) as [SentryService, string][]) {
      const slug = `${shared ? args.shareProjectsOf : args.namePrefix}-${suffix}`;
      const dsn = shared
        ? // A preview stack reports through the key the owner made for previews: no project, key or alert to clean up.
          pulumi.output(sentry.getSentryKeyOutput({ organization: args.organization, project: slug, name: previewKeyName(slug) }, viaSentry)).dsnPublic
        : this.project({ name, suffix, slug, args, api, target, viaSentry, stateful });
      if (!shared && args.previewKeys) previewKeyNames[service] = previewKeyName(slug);

      // Preview stacks re-create the same name right after a destroy; others keep the recovery window.
      // The DSN is re-creatable from Sentry: the secret and its version are not protected.
      const { arn, versionId } = storedSecret(
        `${name}-${suffix}-dsn`,
        {
          name: `${args.namePrefix}/sentry/${suffix}-dsn`,
          description: `Sentry DSN of ${slug}`,
          kmsKeyArn: key.arn,
          value: dsn,
          protect: args.protect,
          protectResources: false,
        },
        this,
      );
      dsnSecretArns[service] = arn;
      dsnSecretVersionIds[service] = versionId;
      projectSlugs[service] = pulumi.output(slug);
    }

    this.dsnSecretArns = dsnSecretArns;
    this.dsnSecretVersionIds = dsnSecretVersionIds;
    this.dsnKmsKeyArn = key.arn;
    this.projectSlugs = projectSlugs;
    this.previewKeyNames = previewKeyNames;
    this.backupMonitorSlug = `${args.namePrefix}-backup`;
    this.registerOutputs({ dsnSecretArns, dsnKmsKeyArn: this.dsnKmsKeyArn, projectSlugs, previewKeyNames });
  }

  /** This stack's own project for one service: scrubbing, client key(s) and alerts; returns the DSN. */
  private project(p: {
    name: string;
    suffix: string;
    slug: string;
    args: SentryArgs;
    api: SentryApiArgs;
    target: pulumi.Output<AlertTarget>;
    viaSentry: pulumi.CustomResourceOptions;
    stateful: { protect: boolean; retainOnDelete: boolean };
  }): pulumi.Output<string> {
    const { name, suffix, slug, args, api } = p;
    const child = { parent: this };
    const project = new sentry.SentryProject(
      `${name}-${suffix}`,
      { organization: args.organization, teams: [args.team], name: slug, slug },
      { ...p.viaSentry, ...p.stateful },
    );

    new SentryProjectSettings(`${name}-${suffix}-scrubbing`, { ...api, project: project.slug, settings: scrubbingSettings(SCRUBBED_FIELDS) }, child);

    // Sentry gives a new project an alert to its members on every high-priority issue of any
    // environment; preview stacks' errors would page through it. Ours replace it.
    const defaults = new SentryDefaultAlertsRemoval(
      `${name}-${suffix}-default-alerts`,
      { ...api, projectId: project.internalId, names: SENTRY_DEFAULT_ALERT_NAMES },
      child,
    );
    const bodies = p.target.apply((target) => projectAlerts({ slug, environment: args.environment, spikeEvents: args.errorSpikeEvents, target }));
    for (const kind of ["issues", "spikes"] as const) {
      new SentryAlertWorkflow(
        `${name}-${suffix}-${kind}`,
        { ...api, projectId: project.internalId, workflow: bodies[kind] },
        { ...child, dependsOn: [defaults] },
      );
    }

    const clientKey = new sentry.SentryKey(`${name}-${suffix}-key`, { organization: args.organization, project: project.slug, name: slug }, p.viaSentry);
    if (args.previewKeys) {
      new sentry.SentryKey(
        `${name}-${suffix}-previews-key`,
        { organization: args.organization, project: project.slug, name: previewKeyName(slug) },
        p.viaSentry,
      );
    }
    return clientKey.dsnPublic;
  }
}
