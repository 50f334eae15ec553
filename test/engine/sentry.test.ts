/**
 * The program's Sentry API resources (dynamic providers) through the real engine, against the fake
 * Sentry: the engine runs the serialized providers in its pulumi-nodejs plugin, which calls the
 * fake over loopback. One workspace: staging's first `up`, a refresh that finds no drift, a rotated
 * token, and a destroy that removes the alerts. The token comes from an ESC environment (an offline
 * copy, as the engine's file backend cannot resolve ESC), then from `pulumi config set --secret`,
 * which wins over it; the fake knows only the token in use, so every call proves which one it was.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { SENTRY_SERVICES } from "../../components/monitoring/sentry";
import { SENTRY_DEFAULT_ALERT_NAMES } from "../../components/monitoring/sentryAlerts";
import { pathPattern, requiredScopes, SENTRY_ENDPOINTS } from "../../components/monitoring/sentryApi/endpoints";
import { loadStackConfig } from "../../tools/plan/stackConfig";
import { ENGINE_TIMEOUT, openWorkspace, outcome } from "../support/engine";
import type { FakeSentry } from "../support/fakeSentry/server";

jest.setTimeout(ENGINE_TIMEOUT);

let ws: Awaited<ReturnType<typeof openWorkspace>>;
let sentry: FakeSentry;
const ours = () => sentry.workflows.filter((w) => !SENTRY_DEFAULT_ALERT_NAMES.includes(w.body.name));
const project = (suffix: string) => sentry.projects.find((p) => p.slug === `chatbot-staging-${suffix}`)!;

const ESC_TOKEN = "esc-sentry-token-0123456789";
const ROTATED_TOKEN = "rotated-sentry-token-0123";

beforeAll(async () => {
  ws = await openWorkspace();
  sentry = ws.sentry;
  const doc = YAML.parse(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.staging.yaml"), "utf8"));
  doc.environment = ["fx/engine"];
  const configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sentry-engine-")), "Pulumi.staging.yaml");
  fs.writeFileSync(configFile, YAML.stringify(doc));
  sentry.revoke(loadStackConfig("staging").config["chatbot:sentryAuthToken"]);
  sentry.grant(ESC_TOKEN, requiredScopes({ includeConditional: false }));
  // Not protected, so the destroy at the end runs the providers' deletes.
  await ws.initStack("staging", { configFile, environmentsDir: path.resolve(__dirname, "../fixtures/esc"), overrides: { protectStatefulResources: false } });
});
afterAll(() => ws?.dispose());

it("creates staging's alerts, scrubbing and default-alert removal in Sentry through the engine", async () => {
  expect(outcome(await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging"]))).toEqual({ status: 0 });
  const suffixes = Object.values(SENTRY_SERVICES);
  expect(ours()).toHaveLength(suffixes.length * 2);
  for (const suffix of suffixes) {
    const p = project(suffix);
    const stream = sentry.detectorsOf(p.id).find((d) => d.type === "issue_stream")!;
    const alerts = ours().filter((w) => w.body.name.startsWith(`${p.slug}:`));
    expect(alerts.map((w) => [w.body.environment, w.detectorIds])).toEqual([
      ["staging", [stream.id]],
      ["staging", [stream.id]],
    ]);
    expect(p.settings).toMatchObject({ dataScrubber: true, scrubIPAddresses: true });
  }
  expect(sentry.workflows.filter((w) => SENTRY_DEFAULT_ALERT_NAMES.includes(w.body.name))).toEqual([]);
  // Every call was one the endpoint table lists (so its scope is documented), and none was refused.
  const unlisted = sentry.log.filter((r) => {
    const path = r.path.replace(/^\/api\/0/, "").split("?")[0];
    return !SENTRY_ENDPOINTS.some((e) => e.method === r.method && pathPattern(e.path).test(path));
  });
  expect(unlisted).toEqual([]);
  expect(sentry.log.filter((r) => r.status >= 400)).toEqual([]);
});

it("finds no drift on a refresh, reading each alert back from Sentry", async () => {
  const before = sentry.log.length;
  expect(outcome(await ws.pulumi(["preview", "--refresh", "--expect-no-changes", "--stack", "staging"]))).toEqual({ status: 0 });
  const reads = sentry.log.slice(before).filter((r) => r.method === "GET" && /\/workflows\/\d+\/$/.test(r.path));
  expect(reads).toHaveLength(ours().length);
});

it("stores a rotated token without a call to Sentry, and deletes the alerts with it on destroy", async () => {
  sentry.grant(ROTATED_TOKEN, requiredScopes({ includeConditional: false }));
  await ws.must(["config", "set", "--stack", "staging", "--secret", "chatbot:sentryAuthToken", ROTATED_TOKEN]);
  const before = sentry.log.length;
  expect(outcome(await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging"]))).toEqual({ status: 0 });
  expect(sentry.log.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
  const exported = await ws.must(["stack", "export", "--stack", "staging"]);
  expect(exported.stdout).not.toContain(ROTATED_TOKEN);
  expect(exported.stdout).not.toContain(ESC_TOKEN);

  // The old token is revoked: the destroy can only succeed with the one the update stored.
  sentry.revoke(ESC_TOKEN);
  const deleting = sentry.log.length;
  expect(outcome(await ws.pulumi(["destroy", "--yes", "--skip-preview", "--stack", "staging"]))).toEqual({ status: 0 });
  expect(ours()).toEqual([]);
  expect(
    sentry.log
      .slice(deleting)
      .filter((r) => r.method === "DELETE")
      .every((r) => r.status === 204),
  ).toBe(true);
});
