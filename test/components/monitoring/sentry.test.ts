/** Sentry alone: per service a project, client key, scrubbing, two environment-bound alerts (dynamic, declared not run) and a KMS-encrypted DSN secret. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one } from "../../support/plan";
import { mockState } from "../../../tools/plan/mockOutputs";
import { DYNAMIC_TYPE } from "../../../tools/plan/harness";
import { SECRET } from "../../../tools/plan/types";
import type { Plan } from "../../../tools/plan/types";

const PROJECT = "sentry:index/sentryProject:SentryProject";
const KEY = "sentry:index/sentryKey:SentryKey";
const PROVIDER = "pulumi:providers:sentry";
const DSN_SECRET = "aws:secretsmanager/secret:Secret";
const DSN_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const SUFFIXES = ["api", "telegram-bot", "discord-bot", "backup-job"];

let outputs: { previewKeyNames: Record<string, string>; backupMonitorSlug: string } | undefined;
const render = (over: Record<string, unknown> = {}) =>
  renderComponent(() => {
    const { Sentry } = load<typeof import("../../../components/monitoring/sentry")>("components/monitoring/sentry");
    outputs = new Sentry("sentry", {
      namePrefix: "chatbot-test",
      environment: "test",
      url: "https://sentry.io",
      organization: "acme",
      team: "platform",
      authToken: "sntrys_token",
      alertIntegrationId: "",
      alertSlackChannel: "",
      errorSpikeEvents: 250,
      protect: true,
      shareProjectsOf: "",
      previewKeys: false,
      ...over,
    });
  });

describe("Sentry", () => {
  let plan: Plan;
  const dynamic = (name: string) => one(plan, DYNAMIC_TYPE, name);
  const projectId = (suffix: string) => mockState(PROJECT, `sentry-${suffix}`, {}, "eu-central-1").internalId;
  beforeAll(async () => {
    plan = await render();
  });

  it("owns per service a project, a key, four API resources and a DSN secret, beside one provider and one KMS key", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:monitoring:Sentry": 1,
      [PROVIDER]: 1,
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      [PROJECT]: 4,
      [KEY]: 4,
      [DYNAMIC_TYPE]: 4 * 4,
      [DSN_SECRET]: 4,
      [DSN_VERSION]: 4,
    });
    expect(
      ofType(plan, PROJECT)
        .map((p) => p.inputs.slug)
        .sort(),
    ).toEqual(SUFFIXES.map((s) => `chatbot-test-${s}`).sort());
    expect(outputs!.backupMonitorSlug).toBe("chatbot-test-backup");
  });

  it("talks to sentry.io through its own provider, the token secret there and in every API resource", () => {
    const provider = one(plan, PROVIDER);
    expect(provider.inputs.token).toBe(SECRET);
    expect(provider.inputs).not.toHaveProperty("baseUrl");
    for (const r of [...ofType(plan, PROJECT), ...ofType(plan, KEY)]) expect(r.provider).toBe(provider.urn);
    for (const r of ofType(plan, DYNAMIC_TYPE)) expect(r.inputs).toMatchObject({ token: SECRET, apiUrl: "https://sentry.io/api/0", organization: "acme" });
    expect(JSON.stringify(plan)).not.toContain("sntrys_token");
  });

  it("puts each project in the organization and team, protected, and scrubs it server-side with the app's personal and wallet fields", () => {
    for (const suffix of SUFFIXES) {
      const project = one(plan, PROJECT, `sentry-${suffix}`);
      expect(project.inputs).toMatchObject({ organization: "acme", teams: ["platform"], name: `chatbot-test-${suffix}` });
      expect(project.options).toMatchObject({ protect: true, retainOnDelete: true });
      expect(dynamic(`sentry-${suffix}-scrubbing`).inputs).toMatchObject({
        project: `chatbot-test-${suffix}`,
        settings: {
          dataScrubber: true,
          dataScrubberDefaults: true,
          scrubIPAddresses: true,
          sensitiveFields: ["email", "wallet_address", "private_key", "seed_phrase", "mnemonic", "authorization"],
          safeFields: [],
        },
      });
    }
  });

  it("removes Sentry's default alert before adding its two, which fire on this environment only, by e-mail to the team", () => {
    for (const suffix of SUFFIXES) {
      const removal = dynamic(`sentry-${suffix}-default-alerts`);
      expect(removal.inputs.projectId).toBe(projectId(suffix));
      expect((removal.inputs.names as string[]).length).toBeGreaterThan(0);
      for (const kind of ["issues", "spikes"]) {
        const alert = dynamic(`sentry-${suffix}-${kind}`);
        expect(alert.inputs.projectId).toBe(projectId(suffix));
        expect(alert.options.dependsOn).toContain(removal.urn);
        const workflow = alert.inputs.workflow as any;
        expect(workflow).toMatchObject({ environment: "test", enabled: true });
        expect(workflow.actionFilters[0].actions.map((a: any) => [a.type, a.config.targetType])).toEqual([["email", "team"]]);
      }
    }
    const spikes = dynamic("sentry-api-spikes").inputs.workflow as any;
    expect(spikes.actionFilters[0].conditions[0].comparison).toEqual({ value: 250, interval: "5min" });
  });

  it("keeps each DSN in its own secret under the stack's name, encrypted with the DSN key, its value secret", () => {
    const key = one(plan, "aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, "aws:kms/alias:Alias").inputs.name).toBe("alias/chatbot-test-sentry");
    const keyArn = mockState(key.type, key.name, key.inputs, "eu-central-1").arn;
    for (const suffix of SUFFIXES) {
      const secret = one(plan, DSN_SECRET, `sentry-${suffix}-dsn`);
      expect(secret.inputs).toMatchObject({ name: `chatbot-test/sentry/${suffix}-dsn`, kmsKeyId: keyArn, recoveryWindowInDays: 30 });
      // Re-creatable from Sentry: neither the secret nor its version is protected.
      expect(secret.options).toMatchObject({ protect: false, retainOnDelete: false });
      const version = one(plan, DSN_VERSION, `sentry-${suffix}-dsn`);
      expect(version.inputs.secretString).toBe(SECRET);
      expect(version.options.dependsOn).toContain(one(plan, KEY, `sentry-${suffix}-key`).urn);
    }
    expect(ofType(plan, KEY).map((k) => k.inputs.name)).not.toContainEqual(expect.stringMatching(/-previews$/));
  });

  it("with a Slack integration, another Sentry host and preview keys: alerts the channel, addresses that host, makes a preview key each", async () => {
    const other = await render({ url: "https://de.sentry.io", alertIntegrationId: "424242", alertSlackChannel: "#alerts", previewKeys: true, protect: false });
    expect(one(other, PROVIDER).inputs.baseUrl).toBe("https://de.sentry.io/api/");
    for (const r of ofType(other, DYNAMIC_TYPE)) expect(r.inputs.apiUrl).toBe("https://de.sentry.io/api/0");
    expect((one(other, DYNAMIC_TYPE, "sentry-api-issues").inputs.workflow as any).actionFilters[0].actions).toEqual([
      { type: "slack", integrationId: "424242", data: {}, config: { targetType: "specific", targetIdentifier: null, targetDisplay: "#alerts" } },
    ]);
    const previews = ofType(other, KEY).filter((k) => k.name.endsWith("-previews-key"));
    expect(previews.map((k) => k.inputs.name).sort()).toEqual(SUFFIXES.map((s) => `chatbot-test-${s}-previews`).sort());
    expect(outputs!.previewKeyNames).toEqual({
      api: "chatbot-test-api-previews",
      telegramBot: "chatbot-test-telegram-bot-previews",
      discordBot: "chatbot-test-discord-bot-previews",
      backupJob: "chatbot-test-backup-job-previews",
    });
    // Unprotected: projects and key may go; DSN secrets are deleted at once, so the name is free again.
    expect(one(other, PROJECT, "sentry-api").options.protect).toBe(false);
    expect(one(other, DSN_SECRET, "sentry-api-dsn").inputs.recoveryWindowInDays).toBe(0);
  });

  it("sharing another stack's projects declares no project, key or API resource, only this stack's DSN secrets", async () => {
    const shared = await render({ namePrefix: "chatbot-pr-7", environment: "pr-7", shareProjectsOf: "chatbot-staging", protect: false });
    expect(typeCounts(shared)).toEqual({
      "chatbot:monitoring:Sentry": 1,
      [PROVIDER]: 1,
      "aws:kms/key:Key": 1,
      "aws:kms/alias:Alias": 1,
      [DSN_SECRET]: 4,
      [DSN_VERSION]: 4,
    });
    expect(one(shared, DSN_SECRET, "sentry-api-dsn").inputs).toMatchObject({
      name: "chatbot-pr-7/sentry/api-dsn",
      description: "Sentry DSN of chatbot-staging-api",
      recoveryWindowInDays: 0,
    });
    expect(outputs!.previewKeyNames).toEqual({});
  });
});
