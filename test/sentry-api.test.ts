/**
 * The Sentry API resources (components/monitoring/sentryApi) against the fake Sentry, which
 * refuses what Sentry refuses: the program's own alert bodies, the removal of Sentry's default
 * alert, the scrubbing settings, and the errors a user sees.
 */
import { FakeSentry } from "./support/fakeSentry/server";
import { requiredScopes } from "../components/monitoring/sentryApi/endpoints";
import { defaultAlertsProvider, projectSettingsProvider, workflowProvider } from "../components/monitoring/sentryApi/provider";
import { projectAlerts, SENTRY_DEFAULT_ALERT_NAMES } from "../components/monitoring/sentryAlerts";

const ORG = "chatbot";
const TOKENS = { full: requiredScopes({ includeConditional: false }), readOnly: ["alerts:read", "project:read", "team:read"] };

let fake: FakeSentry;
const api = (token = "full") => ({ apiUrl: `${fake.url}/api/0`, token, organization: ORG });

beforeEach(async () => {
  fake = await new FakeSentry(TOKENS).start();
  fake.addTeam(ORG, "platform");
});
afterEach(() => fake.stop());

const bodies = (slug: string, target: Parameters<typeof projectAlerts>[0]["target"] = { kind: "team", teamId: "42" }) =>
  projectAlerts({ slug, environment: "staging", spikeEvents: 100, target });

describe("alerts through Sentry's workflow API", () => {
  it("connects each alert to its project's issue-stream monitor, limited to the stack's environment", async () => {
    const project = fake.addProject({ organization: ORG, team: "platform", slug: "chatbot-staging-api" });
    const { issues, spikes } = bodies(project.slug);
    for (const workflow of [issues, spikes]) await workflowProvider.create!({ ...api(), projectId: project.id, workflow });
    const stream = fake.detectorsOf(project.id).find((d) => d.type === "issue_stream")!;
    const ours = fake.workflows.filter((w) => !SENTRY_DEFAULT_ALERT_NAMES.includes(w.body.name));
    expect(ours.map((w) => [w.body.name, w.body.environment, w.detectorIds])).toEqual([
      ["chatbot-staging-api: new or regressed issue (staging)", "staging", [stream.id]],
      ["chatbot-staging-api: spiking issue (staging)", "staging", [stream.id]],
    ]);
    expect(ours[1].body.actionFilters[0].conditions).toEqual([
      { type: "event_frequency_count", comparison: { value: 100, interval: "5min" }, conditionResult: true },
    ]);
  });

  it("sends Slack alerts to the configured channel, in a body Sentry accepts", async () => {
    const project = fake.addProject({ organization: ORG, team: "platform", slug: "chatbot-staging-api" });
    const { issues } = bodies(project.slug, { kind: "slack", integrationId: "424242", channel: "#chatbot-alerts" });
    await workflowProvider.create!({ ...api(), projectId: project.id, workflow: issues });
    expect(fake.workflows.at(-1)!.body.actionFilters[0].actions).toEqual([
      { type: "slack", integrationId: "424242", data: {}, config: { targetType: "specific", targetIdentifier: null, targetDisplay: "#chatbot-alerts" } },
    ]);
  });

  it("updates an alert in place and deletes it, keeping its monitors", async () => {
    const project = fake.addProject({ organization: ORG, team: "platform", slug: "p" });
    const { issues } = bodies("p");
    const made = await workflowProvider.create!({ ...api(), projectId: project.id, workflow: issues });
    const changed = { ...issues, config: { frequency: 60 } };
    await workflowProvider.update!(made.id, made.outs, { ...api(), projectId: project.id, workflow: changed });
    const w = fake.workflows.find((x) => x.id === made.id)!;
    expect([w.body.config, w.detectorIds]).toEqual([{ frequency: 60 }, made.outs.detectorIds]);
    expect((await workflowProvider.read!(made.id, made.outs)).id).toBe(made.id);
    await workflowProvider.delete!(made.id, made.outs);
    expect(fake.workflows.some((x) => x.id === made.id)).toBe(false);
    // A refresh of an alert deleted in Sentry reports it gone, so the next `up` recreates it.
    expect(await workflowProvider.read!(made.id, made.outs)).toEqual({ id: "", props: {} });
    // Gone already (deleted by hand): a delete succeeds.
    await expect(workflowProvider.delete!(made.id, made.outs)).resolves.toBeUndefined();
  });

  it("a rotated token alone is stored without calling Sentry", async () => {
    const project = fake.addProject({ organization: ORG, team: "platform", slug: "p" });
    const made = await workflowProvider.create!({ ...api(), projectId: project.id, workflow: bodies("p").issues });
    const calls = fake.log.length;
    const news = { ...api("readOnly"), projectId: project.id, workflow: bodies("p").issues };
    expect(await workflowProvider.diff!(made.id, made.outs, news)).toEqual({ changes: true, replaces: [] });
    await workflowProvider.update!(made.id, made.outs, news);
    expect(fake.log.length).toBe(calls);
  });

  it("says which scope is missing, in one line without the token", async () => {
    const project = fake.addProject({ organization: ORG, team: "platform", slug: "p" });
    const err = await workflowProvider.create!({ ...api("readOnly"), projectId: project.id, workflow: bodies("p").issues }).catch((e: Error) => e);
    expect((err as Error).message).toBe(
      "Sentry refused POST /organizations/chatbot/workflows/: HTTP 403 You do not have permission to perform this action. " +
        '(give chatbot:sentryAuthToken the scopes README\'s "Sentry" section lists)',
    );
  });

  it("refuses to connect an alert to a project that has no issue-stream monitor", async () => {
    await expect(workflowProvider.create!({ ...api(), projectId: "999", workflow: bodies("p").issues })).rejects.toThrow(
      "Sentry has no issue-stream monitor for project 999 in chatbot: alerts cannot be connected to it",
    );
  });
});

describe("Sentry's own default alert", () => {
  it("is deleted from the project, and nothing else is", async () => {
    const project = fake.addProject({ organization: ORG, team: "platform", slug: "p" });
    const other = fake.addProject({ organization: ORG, team: "platform", slug: "q" });
    // An organization-wide alert of the same name, on no project: not Sentry's default for this one.
    fake.workflows.push({ id: "77", organization: ORG, detectorIds: [], body: { name: SENTRY_DEFAULT_ALERT_NAMES[0] } });
    fake.unattachedInProjectLists = true;
    const ours = await workflowProvider.create!({ ...api(), projectId: project.id, workflow: bodies("p").issues });
    const res = await defaultAlertsProvider.create!({ ...api(), projectId: project.id, names: SENTRY_DEFAULT_ALERT_NAMES });
    expect(fake.workflowsOf(project.id).map((w) => w.id)).toEqual([ours.id]);
    expect(res.outs.removed).toHaveLength(1);
    expect(fake.workflowsOf(other.id).map((w) => w.body.name)).toEqual([SENTRY_DEFAULT_ALERT_NAMES[0]]);
    expect(fake.workflows.some((w) => w.id === "77")).toBe(true);
  });
});

describe("project scrubbing settings", () => {
  it("are written with the project API and re-written only when they change", async () => {
    fake.addProject({ organization: ORG, team: "platform", slug: "p" });
    const settings = { dataScrubber: true, dataScrubberDefaults: true, scrubIPAddresses: true, sensitiveFields: ["email"], safeFields: [] };
    const made = await projectSettingsProvider.create!({ ...api(), project: "p", settings });
    expect(fake.projects[0].settings).toEqual(settings);
    const puts = () => fake.log.filter((r) => r.method === "PUT").length;
    await projectSettingsProvider.update!(made.id, made.outs, { ...api(), project: "p", settings });
    expect(puts()).toBe(1);
    await projectSettingsProvider.update!(made.id, made.outs, { ...api(), project: "p", settings: { ...settings, sensitiveFields: ["email", "iban"] } });
    expect([puts(), fake.projects[0].settings.sensitiveFields]).toEqual([2, ["email", "iban"]]);
  });
});

describe("the fake Sentry refuses what Sentry refuses", () => {
  const post = (path: string, body: unknown, token = "full") =>
    fetch(`${fake.url}/api/0${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });

  it("answers the retired issue-alert rules API (what SentryIssueAlert calls) with 410", async () => {
    fake.addProject({ organization: ORG, team: "platform", slug: "p" });
    const res = await post("/projects/chatbot/p/rules/", { name: "x", actionMatch: "any", conditions: [], actions: [], frequency: 30 });
    expect([res.status, await res.json()]).toEqual([410, { detail: "This API no longer exists." }]);
  });

  it.each([
    [
      "no name",
      (b: any) => {
        delete b.name;
      },
      /must have required property 'name'/,
    ],
    [
      "a frequency Sentry does not offer",
      (b: any) => {
        b.config.frequency = 15;
      },
      /frequency/,
    ],
    [
      "actions on the triggers",
      (b: any) => {
        b.triggers.actions = b.actionFilters[0].actions;
      },
      /triggers\/actions/,
    ],
    [
      "an unknown condition",
      (b: any) => {
        b.triggers.conditions[0].type = "first_seen";
      },
      /conditions\/0/,
    ],
    [
      "an e-mail to a team given by slug",
      (b: any) => {
        b.actionFilters[0].actions[0].config.targetIdentifier = "platform";
      },
      /targetIdentifier/,
    ],
  ])("refuses an alert body with %s", async (_what, mutate, message) => {
    const body = structuredClone(bodies("p").issues);
    mutate(body);
    const res = await post("/organizations/chatbot/workflows/", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(message);
  });

  it("refuses a token without the endpoint's scope, and an unknown token", async () => {
    expect((await post("/organizations/chatbot/workflows/", bodies("p").issues, "readOnly")).status).toBe(403);
    expect((await post("/organizations/chatbot/workflows/", bodies("p").issues, "nope")).status).toBe(401);
  });
});
