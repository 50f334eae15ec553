/**
 * The Sentry token's scopes are exactly what the program calls: derived from the endpoint table
 * (components/monitoring/sentryApi/endpoints.ts), checked against what the dynamic providers really
 * call (every call they make is in the table, every table entry of theirs is called, and each
 * documented scope is needed by some call), and written so in README.
 */
import * as fs from "fs";
import * as path from "path";
import { FakeSentry } from "./support/fakeSentry/server";
import { pathPattern, requiredScopes, SENTRY_ENDPOINTS } from "../components/monitoring/sentryApi/endpoints";
import { defaultAlertsProvider, projectSettingsProvider, workflowProvider } from "../components/monitoring/sentryApi/provider";
import { projectAlerts, SENTRY_DEFAULT_ALERT_NAMES } from "../components/monitoring/sentryAlerts";

const README = fs.readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
const ORG = "chatbot";

/** Every call the dynamic providers make over a resource's life: create, refresh, update, delete. */
async function lifecycle(fake: FakeSentry, token: string): Promise<void> {
  const api = { apiUrl: `${fake.url}/api/0`, token, organization: ORG };
  const project = fake.projects[0];
  const { issues } = projectAlerts({ slug: project.slug, environment: "staging", spikeEvents: 100, target: { kind: "team", teamId: "1" } });
  await projectSettingsProvider.create!({ ...api, project: project.slug, settings: { dataScrubber: true } });
  await defaultAlertsProvider.create!({ ...api, projectId: project.id, names: SENTRY_DEFAULT_ALERT_NAMES });
  const made = await workflowProvider.create!({ ...api, projectId: project.id, workflow: issues });
  await workflowProvider.read!(made.id, made.outs);
  await workflowProvider.update!(made.id, made.outs, { ...api, projectId: project.id, workflow: { ...issues, enabled: false } });
  await workflowProvider.delete!(made.id, made.outs);
}

async function fakeWith(scopes: string[]): Promise<FakeSentry> {
  const fake = await new FakeSentry({ token: scopes }).start();
  fake.addProject({ organization: ORG, team: "platform", slug: "chatbot-staging-api" });
  return fake;
}

describe("the Sentry token's scopes", () => {
  const documented = requiredScopes({ includeConditional: false });

  it("are those of the endpoints the program calls, least privileged first", () => {
    expect(documented).toEqual(["alerts:read", "alerts:write", "project:read", "project:write", "team:read"]);
    // team:read is what getSentryTeam's GET /teams/{org}/{team}/ needs (issue 15: it was missing).
    expect(SENTRY_ENDPOINTS.find((e) => e.path === "/teams/{org}/{team}/")!.scopes[0]).toBe("team:read");
  });

  it("cover every call the dynamic providers make, and the table lists no call they do not make", async () => {
    const fake = await fakeWith(documented);
    try {
      await lifecycle(fake, "token");
      const called = fake.log.map((r) => {
        const p = r.path.replace(/^\/api\/0/, "").split("?")[0];
        return SENTRY_ENDPOINTS.find((e) => e.method === r.method && pathPattern(e.path).test(p));
      });
      expect(fake.log.filter((_r, i) => !called[i])).toEqual([]);
      const dynamic = SENTRY_ENDPOINTS.filter((e) => e.caller === "dynamic");
      expect(dynamic.filter((e) => !called.includes(e)).map((e) => `${e.method} ${e.path}`)).toEqual([]);
      expect(fake.log.every((r) => r.status < 400)).toBe(true);
    } finally {
      await fake.stop();
    }
  });

  it.each(["alerts:read", "alerts:write", "project:write"])("without %s, the dynamic providers fail", async (scope) => {
    const fake = await fakeWith(documented.filter((s) => s !== scope));
    try {
      await expect(lifecycle(fake, "token")).rejects.toThrow(/HTTP 403/);
    } finally {
      await fake.stop();
    }
  });

  it("are written in README's Sentry section, with the conditional one and its condition", () => {
    const section = README.slice(README.indexOf("## Sentry"), README.indexOf("\n## ", README.indexOf("## Sentry") + 1));
    const line = /Token scopes: (.*)/.exec(section)?.[1] ?? "";
    expect([...line.matchAll(/`([a-z]+:[a-z]+)`/g)].map((m) => m[1]).sort()).toEqual(documented);
    for (const e of SENTRY_ENDPOINTS.filter((x) => x.onlyWhen)) {
      expect(section).toContain(`\`${e.scopes[0]}\``);
      expect(section).toContain(e.onlyWhen!);
    }
  });
});
