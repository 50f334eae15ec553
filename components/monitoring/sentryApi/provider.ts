/**
 * Pulumi dynamic providers over Sentry's REST API, for what @pulumiverse/sentry 0.0.9 cannot do:
 * alerts through the workflow engine (its SentryIssueAlert calls the retired rules API: HTTP 410),
 * removing the alert Sentry adds to every new project, and the scrubbing settings it has no
 * arguments for.
 *
 * Pulumi serializes each provider object into the stack (the `__provider` input) and runs it in
 * the `pulumi-resource-pulumi-nodejs` plugin: everything here must be self-contained, with no
 * import at run time (global `fetch` only), or the serialized code would capture this machine's
 * modules.
 */
import type * as pulumi from "@pulumi/pulumi";

/** What every resource of these providers is given. The token is a secret input and output. */
export interface ApiInputs {
  /** `https://sentry.io/api/0` (or a region's or a self-hosted Sentry's). */
  apiUrl: string;
  token: string;
  organization: string;
}

export interface WorkflowInputs extends ApiInputs {
  /** Numeric id of the project whose issue-stream monitor the alert is connected to. */
  projectId: string;
  /** Body of POST /organizations/{org}/workflows/, less `detectorIds` (found at create). */
  workflow: Record<string, unknown>;
}

export interface DefaultAlertsInputs extends ApiInputs {
  projectId: string;
  /** Names of the alerts Sentry creates with a project (DEFAULT_RULE_LABEL, old and new). */
  names: string[];
}

export interface ProjectSettingsInputs extends ApiInputs {
  project: string;
  /** Body of PUT /projects/{org}/{project}/. */
  settings: Record<string, unknown>;
}

/** One request; a refusal is one line with the method, path, status and Sentry's own detail, never the token. */
async function sentryRequest(api: ApiInputs, method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<any> {
  const url = `${api.apiUrl.replace(/\/+$/, "")}${path}`;
  const headers: Record<string, string> = { Authorization: `Bearer ${api.token}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new Error(`Sentry ${method} ${path}: ${(err as Error).message} (is chatbot:sentryUrl right and reachable?)`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok && !okStatuses.includes(res.status)) {
    let detail = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text);
      detail = typeof parsed?.detail === "string" ? parsed.detail : JSON.stringify(parsed).slice(0, 300);
    } catch {
      // not JSON: the start of the text is the detail
    }
    const hint =
      res.status === 401 || res.status === 403
        ? ' (give chatbot:sentryAuthToken the scopes README\'s "Sentry" section lists)'
        : res.status === 410
          ? " (this API was retired by Sentry)"
          : "";
    throw new Error(`Sentry refused ${method} ${path}: HTTP ${res.status} ${detail}${hint}`);
  }
  return text ? JSON.parse(text) : undefined;
}

function orgPath(org: string): string {
  return `/organizations/${encodeURIComponent(org)}`;
}

/** The project's issue-stream monitor: what a project's issue alerts are connected to. */
async function issueStreamDetectorIds(api: ApiInputs, projectId: string): Promise<string[]> {
  const query = new URLSearchParams({ project: projectId, query: "type:issue_stream" });
  const detectors: any[] = await sentryRequest(api, "GET", `${orgPath(api.organization)}/detectors/?${query}`);
  const ids = (detectors ?? []).filter((d) => d?.type === "issue_stream" && String(d.projectId) === projectId).map((d) => String(d.id));
  if (ids.length === 0) throw new Error(`Sentry has no issue-stream monitor for project ${projectId} in ${api.organization}: alerts cannot be connected to it`);
  return ids;
}

function changedKeys(olds: Record<string, any>, news: Record<string, any>, keys: string[]): string[] {
  return keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}

/** An alert (workflow) connected to one project's issue stream. */
export const workflowProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: WorkflowInputs & { detectorIds?: string[] }, news: WorkflowInputs) {
    const changed = changedKeys(olds, news, ["apiUrl", "token", "organization", "projectId", "workflow"]);
    return { changes: changed.length > 0, replaces: changed.filter((k) => k === "apiUrl" || k === "organization" || k === "projectId") };
  },
  async create(inputs: WorkflowInputs) {
    const detectorIds = await issueStreamDetectorIds(inputs, inputs.projectId);
    const created = await sentryRequest(inputs, "POST", `${orgPath(inputs.organization)}/workflows/`, { ...inputs.workflow, detectorIds });
    return { id: String(created.id), outs: { ...inputs, detectorIds } };
  },
  async update(id: string, olds: WorkflowInputs & { detectorIds: string[] }, news: WorkflowInputs) {
    // A new token alone changes nothing in Sentry: it is stored for the next update and delete.
    if (changedKeys(olds, news, ["workflow"]).length > 0) {
      await sentryRequest(news, "PUT", `${orgPath(news.organization)}/workflows/${id}/`, { ...news.workflow, id, detectorIds: olds.detectorIds });
    }
    return { outs: { ...news, detectorIds: olds.detectorIds } };
  },
  async read(id: string, props: WorkflowInputs & { detectorIds: string[] }) {
    // Deleted in Sentry: an empty id tells the engine it is gone, and the next `up` recreates it.
    // Edits made in Sentry's UI are not compared (its answer adds ids and defaults to every part).
    const found = await sentryRequest(props, "GET", `${orgPath(props.organization)}/workflows/${id}/`, undefined, [404]);
    return found?.id === undefined ? { id: "", props: {} } : { id: String(found.id), props };
  },
  async delete(id: string, props: WorkflowInputs) {
    // Already gone (deleted by hand) is what a delete wants.
    await sentryRequest(props, "DELETE", `${orgPath(props.organization)}/workflows/${id}/`, undefined, [404]);
  },
};

/** Deletes the alerts Sentry adds to a new project; ours replace them. Nothing to undo on delete. */
export const defaultAlertsProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: DefaultAlertsInputs, news: DefaultAlertsInputs) {
    const changed = changedKeys(olds, news, ["apiUrl", "token", "organization", "projectId", "names"]);
    return { changes: changed.length > 0, replaces: changed.filter((k) => k !== "token") };
  },
  async create(inputs: DefaultAlertsInputs) {
    const query = new URLSearchParams({ project: inputs.projectId });
    // A project-filtered list may include organization-wide alerts connected to no project: only
    // an alert on this project's own monitors is the one Sentry made for it.
    const detectors: any[] = await sentryRequest(inputs, "GET", `${orgPath(inputs.organization)}/detectors/?${query}`);
    const own = new Set((detectors ?? []).filter((d) => String(d?.projectId) === inputs.projectId).map((d) => String(d.id)));
    const workflows: any[] = await sentryRequest(inputs, "GET", `${orgPath(inputs.organization)}/workflows/?${query}`);
    const removed: string[] = [];
    for (const w of workflows ?? []) {
      if (!inputs.names.includes(w?.name) || !(w.detectorIds ?? []).some((d: unknown) => own.has(String(d)))) continue;
      await sentryRequest(inputs, "DELETE", `${orgPath(inputs.organization)}/workflows/${w.id}/`, undefined, [404]);
      removed.push(String(w.id));
    }
    return { id: `${inputs.organization}/${inputs.projectId}/default-alerts`, outs: { ...inputs, removed } };
  },
  async update(_id: string, olds: DefaultAlertsInputs & { removed: string[] }, news: DefaultAlertsInputs) {
    return { outs: { ...news, removed: olds.removed } };
  },
};

/** Project settings the bridged provider has no arguments for; re-applied when they change. */
export const projectSettingsProvider: pulumi.dynamic.ResourceProvider = {
  async diff(_id: string, olds: ProjectSettingsInputs, news: ProjectSettingsInputs) {
    const changed = changedKeys(olds, news, ["apiUrl", "token", "organization", "project", "settings"]);
    return { changes: changed.length > 0, replaces: changed.filter((k) => k === "apiUrl" || k === "organization" || k === "project") };
  },
  async create(inputs: ProjectSettingsInputs) {
    await sentryRequest(inputs, "PUT", `/projects/${encodeURIComponent(inputs.organization)}/${encodeURIComponent(inputs.project)}/`, inputs.settings);
    return { id: `${inputs.organization}/${inputs.project}/settings`, outs: { ...inputs } };
  },
  async update(_id: string, olds: ProjectSettingsInputs, news: ProjectSettingsInputs) {
    if (changedKeys(olds, news, ["settings"]).length > 0) {
      await sentryRequest(news, "PUT", `/projects/${encodeURIComponent(news.organization)}/${encodeURIComponent(news.project)}/`, news.settings);
    }
    return { outs: { ...news } };
  },
};
