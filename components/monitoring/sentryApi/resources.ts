import * as pulumi from "@pulumi/pulumi";
import { defaultAlertsProvider, projectSettingsProvider, workflowProvider } from "./provider";

/** Connection arguments every Sentry API resource takes; the token stays a secret in the state. */
export interface SentryApiArgs {
  apiUrl: string;
  token: pulumi.Input<string>;
  organization: string;
}

// The token is an input each resource keeps (a delete has only the stored state to go on), so it is
// marked secret in the state too. A rotated token is an in-place update that calls nothing.
const SECRET_OUTPUTS = ["token"];

function apiInputs(args: SentryApiArgs) {
  return { apiUrl: args.apiUrl, token: pulumi.secret(args.token), organization: args.organization };
}

export interface SentryAlertWorkflowArgs extends SentryApiArgs {
  projectId: pulumi.Input<string>;
  /** The alert as Sentry's "Create an Alert" body (name, environment, triggers, actionFilters, config). */
  workflow: pulumi.Input<Record<string, unknown>>;
}

/** A Sentry alert (workflow engine) on one project's issue stream. */
export class SentryAlertWorkflow extends pulumi.dynamic.Resource {
  declare readonly detectorIds: pulumi.Output<string[]>;

  constructor(name: string, args: SentryAlertWorkflowArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      workflowProvider,
      name,
      { ...apiInputs(args), projectId: args.projectId, workflow: args.workflow, detectorIds: undefined },
      { ...opts, additionalSecretOutputs: SECRET_OUTPUTS },
    );
  }
}

export interface SentryDefaultAlertsRemovalArgs extends SentryApiArgs {
  projectId: pulumi.Input<string>;
  names: string[];
}

/** Removes the alert Sentry gives every new project, which would page on every stack's issues. */
export class SentryDefaultAlertsRemoval extends pulumi.dynamic.Resource {
  declare readonly removed: pulumi.Output<string[]>;

  constructor(name: string, args: SentryDefaultAlertsRemovalArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      defaultAlertsProvider,
      name,
      { ...apiInputs(args), projectId: args.projectId, names: args.names, removed: undefined },
      { ...opts, additionalSecretOutputs: SECRET_OUTPUTS },
    );
  }
}

export interface SentryProjectSettingsArgs extends SentryApiArgs {
  project: pulumi.Input<string>;
  settings: Record<string, unknown>;
}

/** Settings of Sentry's "Update a Project" API that the bridged provider does not expose. */
export class SentryProjectSettings extends pulumi.dynamic.Resource {
  constructor(name: string, args: SentryProjectSettingsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      projectSettingsProvider,
      name,
      { ...apiInputs(args), project: args.project, settings: args.settings },
      { ...opts, additionalSecretOutputs: SECRET_OUTPUTS },
    );
  }
}
