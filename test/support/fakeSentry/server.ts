/**
 * A fake Sentry on loopback that refuses what Sentry refuses: each endpoint of
 * components/monitoring/sentryApi/endpoints.ts with its accepted scopes (the tokens' scopes are
 * given to the fake), request bodies checked against the documented schemas (./schemas, Ajv),
 * 410 on the retired issue-alert rules API, and cron check-ins whose JSON body must carry
 * `status` (the query string is ignored with a JSON body, as Relay does). It keeps what it was
 * told, so tests assert on Sentry's resulting state, not only on the requests.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { pathPattern, RETIRED_ENDPOINTS, SENTRY_ENDPOINTS, SentryEndpoint } from "../../../components/monitoring/sentryApi/endpoints";
import { SENTRY_DEFAULT_ALERT_NAMES } from "../../../components/monitoring/sentryAlerts";
import type { FakeDetector, FakeMonitor, FakeProject, FakeWorkflow, LoggedRequest } from "./records";
import { HttpError, validate } from "./validation";

export type { FakeDetector, FakeMonitor, FakeProject, FakeWorkflow, LoggedRequest } from "./records";

export class FakeSentry {
  readonly projects: FakeProject[] = [];
  readonly workflows: FakeWorkflow[] = [];
  readonly detectors: FakeDetector[] = [];
  readonly monitors: FakeMonitor[] = [];
  readonly teams = new Map<string, string>();
  readonly log: LoggedRequest[] = [];
  /** Check-ins Sentry accepted (202) and then dropped: no monitor, and none to create. */
  readonly droppedCheckIns: { slug: string; reason: string }[] = [];
  /** Sentry's project-filtered alert list may include organization-wide alerts on no project (getsentry/cli#1215). */
  unattachedInProjectLists = false;
  private server?: http.Server;
  private nextId = 1000;

  /** `tokens`: each token's scopes, as Sentry's token page grants them. */
  constructor(private readonly tokens: Record<string, string[]>) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A token created, or its scopes changed, on Sentry's token page. */
  grant(token: string, scopes: string[]): void {
    this.tokens[token] = scopes;
  }

  /** A token revoked: every request with it is refused from now on (401). */
  revoke(token: string): void {
    delete this.tokens[token];
  }

  addTeam(org: string, slug: string): string {
    const id = this.id();
    this.teams.set(`${org}/${slug}`, id);
    return id;
  }

  /**
   * A project as Sentry makes it: its two default monitors, and (defaultRules) the alert Sentry adds
   * to every new project. `id` is given when another process (the offline provider plugin) created it.
   */
  addProject(p: { organization: string; team: string; slug: string; id?: string; defaultRules?: boolean }): FakeProject {
    const project: FakeProject = { id: p.id ?? this.id(), slug: p.slug, organization: p.organization, team: p.team, settings: {}, keys: [] };
    // The offline plugin's ids are name-based, so staging's and prod's project of a service share
    // one: the fake keeps one pair of monitors (and one default alert) per id.
    const known = this.projects.some((x) => x.id === project.id);
    this.projects.push(project);
    if (known) return project;
    for (const type of ["error", "issue_stream"] as const)
      this.detectors.push({ id: this.id(), projectId: project.id, type, name: type === "error" ? "Error Monitor" : "Issue Stream" });
    if (p.defaultRules !== false) {
      this.workflows.push({
        id: this.id(),
        organization: p.organization,
        detectorIds: this.detectorsOf(project.id).map((d) => d.id),
        body: { name: SENTRY_DEFAULT_ALERT_NAMES[0], environment: null, enabled: true },
      });
    }
    return project;
  }

  /** A client key, as SentryKey creates it; returns the DSN the services get. */
  addKey(project: FakeProject, name: string): string {
    const key = { id: this.id(), name, public: this.id().padStart(32, "0") };
    project.keys.push(key);
    return `${this.url.replace("//", `//${key.public}@`)}/${project.id}`;
  }

  detectorsOf(projectId: string): FakeDetector[] {
    return this.detectors.filter((d) => d.projectId === projectId);
  }

  workflowsOf(projectId: string): FakeWorkflow[] {
    const ids = new Set(this.detectorsOf(projectId).map((d) => d.id));
    return this.workflows.filter((w) => w.detectorIds.some((d) => ids.has(d)));
  }

  private id(): string {
    return String(this.nextId++);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const json = (req.headers["content-type"] ?? "").startsWith("application/json");
    let body: unknown;
    let status: number;
    let answer: unknown;
    try {
      if (raw && json) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, "malformed JSON body");
        }
      }
      const cron = /^\/api\/(?<project>\d+)\/cron\/(?<slug>[^/]+)\/(?<key>[^/]+)\/$/.exec(url.pathname);
      if (cron) [status, answer] = this.checkIn(req.method!, cron.groups!, url, json ? body : undefined);
      else [status, answer] = this.api(req, url, body);
    } catch (e) {
      status = e instanceof HttpError ? e.status : 500;
      answer = { detail: (e as Error).message };
    }
    this.log.push({ method: req.method!, path: url.pathname + url.search, status, body });
    res.writeHead(status, { "content-type": "application/json" }).end(answer === undefined ? "" : JSON.stringify(answer));
  }

  private api(req: http.IncomingMessage, url: URL, body: unknown): [number, unknown] {
    const path = url.pathname.replace(/^\/api\/0/, "");
    if (path === url.pathname) throw new HttpError(404, "not an API path");
    const method = req.method as SentryEndpoint["method"];
    if (RETIRED_ENDPOINTS.some((e) => e.method === method && pathPattern(e.path).test(path))) throw new HttpError(410, "This API no longer exists.");
    const endpoint = SENTRY_ENDPOINTS.find((e) => e.method === method && pathPattern(e.path).test(path));
    if (!endpoint) throw new HttpError(404, `the fake has no ${method} ${path}`);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token || !(token in this.tokens)) throw new HttpError(401, "Invalid token");
    if (!endpoint.scopes.some((s) => this.tokens[token].includes(s))) throw new HttpError(403, "You do not have permission to perform this action.");
    const p = pathPattern(endpoint.path).exec(path)!.groups!;
    return this.route(endpoint, p, url, body);
  }

  private route(e: SentryEndpoint, p: Record<string, string>, url: URL, body: any): [number, unknown] {
    const project = () => {
      const found = this.projects.find((x) => x.organization === p.org && x.slug === p.project);
      if (!found) throw new HttpError(404, "The requested resource does not exist");
      return found;
    };
    const workflow = () => {
      const found = this.workflows.find((w) => w.organization === p.org && w.id === p.workflow);
      if (!found) throw new HttpError(404, "The requested resource does not exist");
      return found;
    };
    const show = (w: FakeWorkflow) => ({ ...w.body, id: w.id, detectorIds: w.detectorIds });
    switch (`${e.method} ${e.path}`) {
      case "GET /teams/{org}/{team}/": {
        const id = this.teams.get(`${p.org}/${p.team}`);
        if (!id) throw new HttpError(404, "The requested resource does not exist");
        return [200, { id, slug: p.team, name: p.team }];
      }
      case "POST /teams/{org}/{team}/projects/": {
        validate("projectCreate", body);
        const made = this.addProject({ organization: p.org, team: p.team, slug: body.slug ?? body.name, defaultRules: body.default_rules });
        return [201, { id: made.id, slug: made.slug, name: body.name }];
      }
      case "GET /projects/{org}/{project}/": {
        const x = project();
        return [200, { id: x.id, slug: x.slug, ...x.settings }];
      }
      case "PUT /projects/{org}/{project}/": {
        validate("projectUpdate", body);
        const x = project();
        Object.assign(x.settings, body);
        return [200, { id: x.id, slug: x.slug, ...x.settings }];
      }
      case "DELETE /projects/{org}/{project}/":
        this.projects.splice(this.projects.indexOf(project()), 1);
        return [204, undefined];
      case "POST /projects/{org}/{project}/keys/": {
        validate("keyCreate", body ?? {});
        const key = { id: this.id(), name: body?.name ?? "Default", public: this.id().padStart(32, "0") };
        project().keys.push(key);
        return [201, key];
      }
      case "GET /projects/{org}/{project}/keys/":
        return [200, project().keys];
      case "DELETE /projects/{org}/{project}/keys/{key}/": {
        const x = project();
        x.keys = x.keys.filter((k) => k.id !== p.key);
        return [204, undefined];
      }
      case "GET /organizations/{org}/detectors/": {
        const ids = url.searchParams.getAll("project");
        const type = /type:(\w+)/.exec(url.searchParams.get("query") ?? "")?.[1];
        return [200, this.detectors.filter((d) => ids.includes(d.projectId) && (!type || d.type === type))];
      }
      case "GET /organizations/{org}/workflows/": {
        const ids = url.searchParams.getAll("project");
        const unattached = this.unattachedInProjectLists ? this.workflows.filter((w) => w.organization === p.org && w.detectorIds.length === 0) : [];
        const list = ids.length
          ? [...new Set([...ids.flatMap((id) => this.workflowsOf(id)), ...unattached])]
          : this.workflows.filter((w) => w.organization === p.org);
        return [200, list.map(show)];
      }
      case "POST /organizations/{org}/workflows/": {
        validate("workflow", body);
        const detectorIds = (body.detectorIds ?? []).map(String);
        for (const d of detectorIds) if (!this.detectors.some((x) => x.id === d)) throw new HttpError(400, `detectorIds: monitor ${d} does not exist`);
        const { detectorIds: _d, ...rest } = body;
        const made: FakeWorkflow = { id: this.id(), organization: p.org, detectorIds, body: rest };
        this.workflows.push(made);
        return [201, show(made)];
      }
      case "GET /organizations/{org}/workflows/{workflow}/":
        return [200, show(workflow())];
      case "PUT /organizations/{org}/workflows/{workflow}/": {
        validate("workflow", body);
        const w = workflow();
        const { detectorIds, ...rest } = body;
        w.body = rest;
        if (detectorIds) w.detectorIds = detectorIds.map(String);
        return [200, show(w)];
      }
      case "DELETE /organizations/{org}/workflows/{workflow}/":
        this.workflows.splice(this.workflows.indexOf(workflow()), 1);
        return [204, undefined];
    }
    throw new HttpError(500, `the fake lists ${e.method} ${e.path} but does not serve it`);
  }

  /** Relay's cron endpoint: authenticated by the DSN's public key; accepted (202) before it is processed. */
  private checkIn(method: string, g: Record<string, string>, url: URL, body: any): [number, unknown] {
    const project = this.projects.find((x) => x.id === g.project);
    if (!project || !project.keys.some((k) => k.public === g.key)) throw new HttpError(403, "invalid DSN key for project");
    // With a JSON body Sentry reads the body only; the query string is the GET form.
    const checkIn = body !== undefined ? body : method === "GET" ? Object.fromEntries(url.searchParams) : undefined;
    if (checkIn === undefined) throw new HttpError(400, "a POST check-in needs a JSON body (Content-Type: application/json)");
    validate("checkIn", checkIn);
    let monitor = this.monitors.find((m) => m.projectId === project.id && m.slug === g.slug);
    if (checkIn.monitor_config) {
      if (!monitor) this.monitors.push((monitor = { slug: g.slug, projectId: project.id, config: {}, checkIns: [] }));
      monitor.config = checkIn.monitor_config;
    }
    if (!monitor) this.droppedCheckIns.push({ slug: g.slug, reason: "no such monitor and no monitor_config to create it" });
    else monitor.checkIns.push({ status: checkIn.status, checkInId: checkIn.check_in_id });
    return [202, {}];
  }
}
