import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ofType, one, planFor } from "./support/plan";
import { SENTRY_API, SENTRY_SERVICES } from "../components/monitoring/sentry";
import { mockCall, mockState } from "../tools/plan/mockOutputs";
import { secretArnOfValueFrom } from "../components/shared/containerSecret";
import type { LoadedStackConfig } from "../tools/plan/stackConfig";
import type { Plan, PlanResource } from "../tools/plan/types";

const PROJECT = "sentry:index/sentryProject:SentryProject";
const KEY = "sentry:index/sentryKey:SentryKey";
const ISSUE_ALERT = "sentry:index/sentryIssueAlert:SentryIssueAlert";
const COMMAND = "command:local:Command";
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition";
const SUFFIXES = Object.values(SENTRY_SERVICES);

function containers(td: PlanResource): any[] {
  const v = td.inputs.containerDefinitions;
  return typeof v === "string" ? JSON.parse(v) : (v as any[]);
}

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

  it("talks to Sentry through an explicit provider whose token is secret", () => {
    const provider = one(plan, "pulumi:providers:sentry");
    expect(provider.inputs.token).toBe("[secret]");
    for (const r of [...ofType(plan, PROJECT), ...ofType(plan, KEY), ...ofType(plan, ISSUE_ALERT)]) expect(r.provider).toBe(provider.urn);
  });

  it("turns server-side scrubbing on for every project, with the configured sensitive fields", () => {
    const fields = JSON.parse(c("sentrySensitiveFields"));
    for (const suffix of SUFFIXES) {
      const project = one(plan, PROJECT, `sentry-${suffix}`);
      const cmd = one(plan, COMMAND, `sentry-${suffix}-scrubbing`);
      const env = cmd.inputs.environment as Record<string, string>;
      expect(JSON.parse(env.SENTRY_PROJECT_SETTINGS)).toEqual({
        dataScrubber: true, dataScrubberDefaults: true, scrubIPAddresses: true, sensitiveFields: fields, safeFields: [],
      });
      expect(env.SENTRY_PROJECT_URL).toBe(`${SENTRY_API}/projects/${c("sentryOrganization")}/${project.inputs.slug}/`);
      expect(env.SENTRY_AUTH_TOKEN).toBe("[secret]");
      expect(cmd.inputs.create).toMatch(/method: 'PUT'/);
      expect(cmd.inputs.create).not.toMatch(/console\.log\([^)]*(TOKEN|body|text)/i);
      expect(cmd.options.dependsOn).toContain(project.urn);
    }
  });

  it("alerts on new, regressed and spiking issues in every project, by e-mail to the team", () => {
    const teamId = mockCall("sentry:index/getSentryTeam:getSentryTeam", { slug: c("sentryTeam") }, c("region")).internalId;
    for (const suffix of SUFFIXES) {
      const alert = one(plan, ISSUE_ALERT, `sentry-${suffix}-issues`);
      expect(alert.inputs.project).toBe(`${prefix}-${suffix}`);
      expect(alert.inputs.actionMatch).toBe("any");
      const ids = (alert.inputs.conditions as any[]).map((x) => x.id);
      expect(ids).toEqual([
        "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition",
        "sentry.rules.conditions.regression_event.RegressionEventCondition",
        "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
      ]);
      expect((alert.inputs.conditions as any[])[2]).toMatchObject({ value: c("sentryErrorSpikeEvents"), interval: "5m", comparisonType: "count" });
      expect(alert.inputs.actions).toEqual([{ id: "sentry.mail.actions.NotifyEmailAction", targetType: "Team", targetIdentifier: teamId }]);
    }
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
      expect(defs.flatMap((d) => d.secrets ?? []).filter((s: any) => s.name === "SENTRY_DSN").map((s: any) => secretArnOfValueFrom(s.valueFrom))).toEqual([arns[suffix]]);
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
    for (const alert of ofType(plan, ISSUE_ALERT)) {
      expect(alert.inputs.actions).toEqual([
        { id: "sentry.integrations.slack.notify_action.SlackNotifyServiceAction", workspace: "424242", channel: "#chatbot-alerts" },
      ]);
    }
    expect(ofType(plan, ISSUE_ALERT)).toHaveLength(SUFFIXES.length);
  });

  it("refuses an integration without a channel", async () => {
    const configFile = stackFile({ "chatbot:sentryAlertIntegrationId": "424242" });
    await expect(planFor("staging", { configFile })).rejects.toThrow(/chatbot:sentryAlertSlackChannel = "": required when sentryAlertIntegrationId is set/);
  });
});
