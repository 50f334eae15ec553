/**
 * Every Sentry API endpoint the program calls, with the token scopes Sentry's API reference
 * accepts for it (docs.sentry.io/api, "Scopes: <auth_token> requires one of the following
 * scopes"). The README's token scopes, the fake Sentry's scope checks and the scope test all read
 * this one table, so a new call cannot go undocumented.
 */

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface SentryEndpoint {
  method: HttpMethod;
  /** Path below `<sentryUrl>/api/0`, with `{name}` placeholders. */
  path: string;
  /** Scopes Sentry accepts, least privileged first: the first is the one the token is given. */
  scopes: string[];
  /** Who calls it: the bridged provider (@pulumiverse/sentry 0.0.9) or our dynamic provider (./provider). */
  caller: "pulumiverse" | "dynamic";
  /** What in the program needs it. */
  purpose: string;
  /** Set when only some stacks or operations call it; the README names the condition. */
  onlyWhen?: string;
}

export const SENTRY_ENDPOINTS: SentryEndpoint[] = [
  {
    method: "GET",
    path: "/teams/{org}/{team}/",
    scopes: ["team:read", "team:write", "team:admin"],
    caller: "pulumiverse",
    purpose: "getSentryTeam: the team's id, target of the e-mail alerts",
  },
  {
    method: "POST",
    path: "/teams/{org}/{team}/projects/",
    scopes: ["project:write", "project:admin"],
    caller: "pulumiverse",
    purpose: "SentryProject: create a project",
  },
  {
    method: "GET",
    path: "/projects/{org}/{project}/",
    scopes: ["project:read", "project:write", "project:admin"],
    caller: "pulumiverse",
    purpose: "SentryProject: read it back (create, refresh)",
  },
  {
    method: "PUT",
    path: "/projects/{org}/{project}/",
    scopes: ["project:write", "project:admin"],
    caller: "dynamic",
    purpose: "SentryProjectSettings: server-side scrubbing (and the bridged provider's project updates)",
  },
  {
    method: "DELETE",
    path: "/projects/{org}/{project}/",
    scopes: ["project:admin"],
    caller: "pulumiverse",
    purpose: "SentryProject: delete a project",
    onlyWhen: "destroying a stack whose projects are not retained (protectStatefulResources false)",
  },
  {
    method: "POST",
    path: "/projects/{org}/{project}/keys/",
    scopes: ["project:write", "project:admin"],
    caller: "pulumiverse",
    purpose: "SentryKey: create a client key (DSN)",
  },
  {
    method: "GET",
    path: "/projects/{org}/{project}/keys/",
    scopes: ["project:read", "project:write", "project:admin"],
    caller: "pulumiverse",
    purpose: "SentryKey reads, getSentryKey: a preview stack finds staging's preview key",
  },
  {
    method: "DELETE",
    path: "/projects/{org}/{project}/keys/{key}/",
    scopes: ["project:write", "project:admin"],
    caller: "pulumiverse",
    purpose: "SentryKey: delete a client key",
  },
  {
    method: "GET",
    path: "/organizations/{org}/detectors/",
    scopes: ["alerts:read", "org:read", "org:write", "org:admin"],
    caller: "dynamic",
    purpose: "SentryAlertWorkflow: the project's issue-stream monitor the alert is connected to; SentryDefaultAlertsRemoval: the project's monitors",
  },
  {
    method: "GET",
    path: "/organizations/{org}/workflows/",
    scopes: ["alerts:read", "org:read", "org:write", "org:admin"],
    caller: "dynamic",
    purpose: "SentryDefaultAlertsRemoval: find the alert Sentry adds to a new project",
  },
  {
    method: "POST",
    path: "/organizations/{org}/workflows/",
    scopes: ["alerts:write", "org:write", "org:admin"],
    caller: "dynamic",
    purpose: "SentryAlertWorkflow: create an alert",
  },
  {
    method: "GET",
    path: "/organizations/{org}/workflows/{workflow}/",
    scopes: ["alerts:read", "org:read", "org:write", "org:admin"],
    caller: "dynamic",
    purpose: "SentryAlertWorkflow: refresh",
  },
  {
    method: "PUT",
    path: "/organizations/{org}/workflows/{workflow}/",
    scopes: ["alerts:write", "org:write", "org:admin"],
    caller: "dynamic",
    purpose: "SentryAlertWorkflow: update an alert",
  },
  {
    method: "DELETE",
    path: "/organizations/{org}/workflows/{workflow}/",
    scopes: ["alerts:write", "org:write", "org:admin"],
    caller: "dynamic",
    purpose: "SentryAlertWorkflow, SentryDefaultAlertsRemoval: delete an alert",
  },
];

/** Retired on 2026-08-04 (HTTP 410 "This API no longer exists"): what `SentryIssueAlert` calls. */
export const RETIRED_ENDPOINTS: { method: HttpMethod; path: string }[] = [
  { method: "POST", path: "/projects/{org}/{project}/rules/" },
  { method: "GET", path: "/projects/{org}/{project}/rules/" },
  { method: "PUT", path: "/projects/{org}/{project}/rules/{rule}/" },
  { method: "DELETE", path: "/projects/{org}/{project}/rules/{rule}/" },
];

/** `/teams/{org}/{team}/` -> a RegExp matching a concrete path, with the placeholders as groups. */
export function pathPattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{(\w+)\}/g, "(?<$1>[^/]+)")}$`);
}

/** The scopes the token needs: the least privileged accepted scope of each endpoint, sorted. */
export function requiredScopes(opts: { includeConditional: boolean }): string[] {
  const used = SENTRY_ENDPOINTS.filter((e) => opts.includeConditional || !e.onlyWhen);
  return [...new Set(used.map((e) => e.scopes[0]))].sort();
}
