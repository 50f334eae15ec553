import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ofType, one, planFor } from "./support/plan";
import { previewKeyName, SENTRY_SERVICES } from "../components/monitoring/sentry";
import { SENTRY_DEFAULT_ALERT_NAMES } from "../components/monitoring/sentryAlerts";
import { mockCall, mockState } from "../tools/plan/mockOutputs";
import { DYNAMIC_PROVIDER_CODE, DYNAMIC_TYPE } from "../tools/plan/harness";
import { secretArnOfValueFrom } from "../components/shared/containerSecret";
import type { LoadedStackConfig } from "../tools/plan/stackConfig";
import type { Plan, PlanResource } from "../tools/plan/types";

const PROJECT = "sentry:index/sentryProject:SentryProject";
const KEY = "sentry:index/sentryKey:SentryKey";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition";
const SUFFIXES = Object.values(SENTRY_SERVICES);

function containers(td: PlanResource): any[] {
  const v = td.inputs.containerDefinitions;
  return typeof v === "string" ? JSON.parse(v) : (v as any[]);
}

/** The Sentry API resources (dynamic) of one project, by the suffix of their names. */
const apiResource = (plan: Plan, name: string) => one(plan, DYNAMIC_TYPE, name);

describe.each(["staging", "prod"])("Sentry of %s", (stack) => {
  let plan: Plan;
  let cfg: LoadedStackConfig;
  const c = (key: string) => cfg.config[`chatbot:${key}`];
  const prefix = `chatbot-${stack}`;
  /** The DSN secret's ARN as the (mocked) cloud returns it. */
  const dsnArn = (suffix: string) => {
    const secret = one(plan, SECRET, `sentry-${suffix}-dsn`);
    return mockState(secret.type, secret.name, secret.inputs, c("region")).arn as string;
  };
  const projectId = (suffix: string) => mockState(PROJECT, `sentry-${suffix}`, {}, c("region")).internalId as string;

  beforeAll(async () => {
    ({ plan, config: cfg } = await planFor(stack));
  });

  it("has one project per service, named after the stack, in the configured organization and team", () => {
    const projects = ofType(plan, PROJECT);
    expect(projects.map((p) => p.inputs.slug).sort()).toEqual(SUFFIXES.map((s) => `${prefix}-${s}`).sort());
    for (const p of projects) {
      expect(p.inputs.organization).toBe(c("sentryOrganization"));
      expect(p.inputs.teams).toEqual([c("sentryTeam")]);
      expect(p.options.protect).toBe(c("protectStatefulResources") === "true");
    }
    expect(plan.outputs.sentryProjects).toEqual(Object.fromEntries(Object.entries(SENTRY_SERVICES).map(([k, s]) => [k, `${prefix}-${s}`])));
  });

  it("talks to Sentry through an explicit provider and API resources whose token is secret", () => {
    const provider = one(plan, "pulumi:providers:sentry");
    expect(provider.inputs.token).toBe("[secret]");
    // The default sentry.io is left implicit, as in stacks deployed before sentryUrl existed.
    expect(provider.inputs).not.toHaveProperty("baseUrl");
    for (const r of [...ofType(plan, PROJECT), ...ofType(plan, KEY)]) expect(r.provider).toBe(provider.urn);
    const dynamic = ofType(plan, DYNAMIC_TYPE).filter((r) => r.name.startsWith("sentry-"));
    expect(dynamic).toHaveLength(SUFFIXES.length * 4);
    for (const r of dynamic) {
      expect(r.inputs).toMatchObject({
        token: "[secret]",
        apiUrl: `${c("sentryUrl")}/api/0`,
        organization: c("sentryOrganization"),
        __provider: DYNAMIC_PROVIDER_CODE,
      });
    }
  });

  it("declares nothing that calls Sentry's retired issue-alert rules API", () => {
    expect(plan.resources.filter((r) => /sentry.*(IssueAlert|MetricAlert)/i.test(r.type))).toEqual([]);
  });

  it("turns server-side scrubbing on for every project, with the app's personal and wallet fields", () => {
    const fields = ["email", "wallet_address", "private_key", "seed_phrase", "mnemonic", "authorization"];
    for (const suffix of SUFFIXES) {
      const project = one(plan, PROJECT, `sentry-${suffix}`);
      const settings = apiResource(plan, `sentry-${suffix}-scrubbing`);
      expect(settings.inputs.settings).toEqual({
        dataScrubber: true,
        dataScrubberDefaults: true,
        scrubIPAddresses: true,
        sensitiveFields: fields,
        safeFields: [],
      });
      expect(settings.inputs.project).toBe(project.inputs.slug);
      expect(settings.options.dependsOn).toContain(project.urn);
    }
  });

  it("removes the alert Sentry adds to every new project", () => {
    for (const suffix of SUFFIXES) {
      const removal = apiResource(plan, `sentry-${suffix}-default-alerts`);
      expect(removal.inputs).toMatchObject({ projectId: projectId(suffix), names: SENTRY_DEFAULT_ALERT_NAMES });
      expect(removal.options.dependsOn).toContain(one(plan, PROJECT, `sentry-${suffix}`).urn);
    }
  });

  it("alerts on new, regressed and spiking issues of this stack's environment only, by e-mail to the team", () => {
    const teamId = mockCall("sentry:index/getSentryTeam:getSentryTeam", { slug: c("sentryTeam") }, c("region")).internalId;
    const email = [{ type: "email", integrationId: null, data: {}, config: { targetType: "team", targetIdentifier: teamId, targetDisplay: null } }];
    for (const suffix of SUFFIXES) {
      const issues = apiResource(plan, `sentry-${suffix}-issues`);
      const spikes = apiResource(plan, `sentry-${suffix}-spikes`);
      for (const alert of [issues, spikes]) {
        expect(alert.inputs.projectId).toBe(projectId(suffix));
        expect(alert.inputs.workflow).toMatchObject({ environment: stack, enabled: true, config: { frequency: 30 } });
        expect((alert.inputs.workflow as any).actionFilters.map((f: any) => f.actions)).toEqual([email]);
        // Created after Sentry's default alert is gone, so the project never has two.
        expect(alert.options.dependsOn).toContain(apiResource(plan, `sentry-${suffix}-default-alerts`).urn);
      }
      expect((issues.inputs.workflow as any).triggers.conditions.map((x: any) => x.type)).toEqual(["first_seen_event", "regression_event", "reappeared_event"]);
      expect((spikes.inputs.workflow as any).triggers.conditions).toEqual([]);
      expect((spikes.inputs.workflow as any).actionFilters[0].conditions).toEqual([
        { type: "event_frequency_count", comparison: { value: Number(c("sentryErrorSpikeEvents")), interval: "5min" }, conditionResult: true },
      ]);
    }
  });

  it("makes a preview key per project exactly when sentryPreviewKeys says so, and exports their names", () => {
    const wanted = c("sentryPreviewKeys") === "true";
    const keys = ofType(plan, KEY).filter((k) => k.name.endsWith("-previews-key"));
    expect(keys.map((k) => k.inputs.name).sort()).toEqual(wanted ? SUFFIXES.map((s) => previewKeyName(`${prefix}-${s}`)).sort() : []);
    expect(plan.outputs.sentryPreviewKeys).toEqual(
      wanted ? Object.fromEntries(Object.entries(SENTRY_SERVICES).map(([k, s]) => [k, `${prefix}-${s}-previews`])) : {},
    );
  });

  it("keeps each DSN in its own KMS-encrypted secret, written as a secret value", () => {
    const key = one(plan, "aws:kms/key:Key", "sentry-dsn-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    for (const suffix of SUFFIXES) {
      const secret = one(plan, SECRET, `sentry-${suffix}-dsn`);
      expect(secret.inputs.kmsKeyId).toBeTruthy();
      expect(secret.options.dependsOn).toContain(key.urn);
      const version = one(plan, SECRET_VERSION, `sentry-${suffix}-dsn`);
      expect(version.inputs.secretString).toBe("[secret]");
      expect(version.options.dependsOn).toEqual(expect.arrayContaining([secret.urn, one(plan, KEY, `sentry-${suffix}-key`).urn]));
    }
    expect(JSON.stringify(plan)).not.toMatch(/ingest\.sentry\.io/);
  });

  it("gives every service its own DSN, only as an ECS secret, and no other service's", () => {
    const arns = Object.fromEntries(SUFFIXES.map((s) => [s, dsnArn(s)]));
    const all = new Set(Object.values(arns));
    for (const suffix of SUFFIXES) {
      const defs = containers(one(plan, TASK_DEF, `${suffix}-task`));
      const refs = defs.flatMap((d) => (d.secrets ?? []).map((s: any) => secretArnOfValueFrom(String(s.valueFrom))));
      expect(
        defs
          .flatMap((d) => d.secrets ?? [])
          .filter((s: any) => s.name === "SENTRY_DSN")
          .map((s: any) => secretArnOfValueFrom(s.valueFrom)),
      ).toEqual([arns[suffix]]);
      expect(refs.filter((r: string) => all.has(r))).toEqual([arns[suffix]]);
    }
    for (const td of ofType(plan, TASK_DEF)) {
      for (const d of containers(td)) expect((d.environment ?? []).map((e: any) => e.name)).not.toContain("SENTRY_DSN");
    }
  });
});

describe("Sentry alerts to a Slack integration", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sentry-slack-"));
  const stackFile = (changes: Record<string, string>) => {
    const doc = YAML.parse(fs.readFileSync(path.resolve(__dirname, "../Pulumi.staging.yaml"), "utf8"));
    Object.assign(doc.config, changes);
    const file = path.join(dir, `Pulumi.${Object.keys(changes).length}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("posts to the configured channel instead of e-mail", async () => {
    const configFile = stackFile({ "chatbot:sentryAlertIntegrationId": "424242", "chatbot:sentryAlertSlackChannel": "#chatbot-alerts" });
    const { plan } = await planFor("staging", { configFile });
    const alerts = ofType(plan, DYNAMIC_TYPE).filter((r) => /-(issues|spikes)$/.test(r.name));
    expect(alerts).toHaveLength(SUFFIXES.length * 2);
    for (const alert of alerts) {
      expect((alert.inputs.workflow as any).actionFilters[0].actions).toEqual([
        { type: "slack", integrationId: "424242", data: {}, config: { targetType: "specific", targetIdentifier: null, targetDisplay: "#chatbot-alerts" } },
      ]);
    }
  });

  it("refuses an integration without a channel", async () => {
    const configFile = stackFile({ "chatbot:sentryAlertIntegrationId": "424242" });
    await expect(planFor("staging", { configFile })).rejects.toThrow(/chatbot:sentryAlertSlackChannel = "": required when sentryAlertIntegrationId is set/);
  });

  it("refuses preview keys on a stack that shares another's projects", async () => {
    const configFile = stackFile({ "chatbot:sentryPreviewKeys": "true", "chatbot:sentryShareProjectsOf": "chatbot-prod" });
    await expect(planFor("staging", { configFile })).rejects.toThrow(
      /chatbot:sentryPreviewKeys = "?true"?: must be false with sentryShareProjectsOf \(chatbot-prod\)/,
    );
  });

  it("refuses a plain-http Sentry that is not loopback", async () => {
    const configFile = stackFile({ "chatbot:sentryUrl": "http://sentry.example.com" });
    await expect(planFor("staging", { configFile })).rejects.toThrow(/chatbot:sentryUrl = "http:\/\/sentry.example.com": expected https:\/\/<host>/);
  });
});
