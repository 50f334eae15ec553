import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import { stackFileWith } from "./support/engine";
import { secretLooking } from "../policy/rules/ecs";
import { ACCOUNT } from "../tools/plan/mockOutputs";
import { SINGLE_CONSUMER_TASKS } from "../components/containers/service";
import { secretArnOfValueFrom } from "../components/shared/containerSecret";
import type { Plan, PlanResource } from "../tools/plan/types";

const SERVICE = "aws:ecs/service:Service";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

/** The offline plan's ARNs are `arn:aws:<service>:<region>:<account>:<logical name>` (tools/plan/mockOutputs.ts). */
const mockArn = (service: string, logical: string) => `arn:aws:${service}:eu-central-1:${ACCOUNT}:${logical}`;

/** What each service must read, and from which stored secret (physical name after `chatbot-<stack>/`). */
const DATA = { DATABASE_URL: "postgres/app:url", REDIS_URL: "redis/url", CHROMA_TOKEN: "chroma/token" };
const EXPECTED_SECRETS: Record<string, Record<string, string>> = {
  api: { ...DATA, APP_SECRET_KEY: "app/app-secret-key", STRIPE_API_KEY: "app/stripe-api-key", LLM_API_KEY: "app/llm-api-key", SENTRY_DSN: "sentry/api-dsn" },
  "telegram-bot": { ...DATA, LLM_API_KEY: "app/llm-api-key", TELEGRAM_BOT_TOKEN: "app/telegram-bot-token", SENTRY_DSN: "sentry/telegram-bot-dsn" },
  "discord-bot": { ...DATA, LLM_API_KEY: "app/llm-api-key", DISCORD_BOT_TOKEN: "app/discord-bot-token", SENTRY_DSN: "sentry/discord-bot-dsn" },
};
const SIZING: Record<string, string> = { api: "api", "telegram-bot": "telegramBot", "discord-bot": "discordBot" };

function container(plan: Plan, svc: string): any {
  const defs = parseJsonInput<any[]>(one(plan, TASK, `${svc}-task`), "containerDefinitions");
  expect(defs).toHaveLength(1);
  return defs[0];
}

function policyOf(plan: Plan, logical: string): any[] {
  return parseJsonInput(one(plan, ROLE_POLICY, logical), "policy").Statement;
}

describe.each(["staging", "prod"])("application services of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  beforeAll(async () => {
    // Released app images (the committed stack files have none yet: an unreleased service runs no task).
    const digests = Object.fromEntries(["apiImage", "telegramBotImage", "discordBotImage"].map((k, i) => [k, `sha256:${String(i + 1).repeat(64)}`]));
    const rendered = await planFor(stack, { configFile: stackFileWith(stack, digests) });
    plan = rendered.plan;
    config = rendered.config.config;
  });
  const cfg = (key: string) => config[`chatbot:${key}`];
  const num = (key: string) => Number(cfg(key));

  it("runs api, telegram-bot and discord-bot on Fargate in the private subnets and app group, without public IPs", () => {
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"))
      .map((s) => `${s.name}-id`);
    for (const svc of Object.keys(EXPECTED_SECRETS)) {
      const s = one(plan, SERVICE, `${svc}-service`);
      expect(s.inputs.name).toBe(`chatbot-${stack}-${svc}`);
      expect(s.inputs.launchType).toBe("FARGATE");
      const net = s.inputs.networkConfiguration as any;
      expect(net.assignPublicIp).toBe(false);
      expect([...net.subnets].sort()).toEqual(privateSubnets.sort());
      expect(net.securityGroups).toEqual(["network-app-sg-id"]);
      const task = one(plan, TASK, `${svc}-task`);
      expect(task.inputs).toMatchObject({ networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], family: `chatbot-${stack}-${svc}` });
    }
    expect(plan.outputs.ecsServiceNames).toEqual({
      api: `chatbot-${stack}-api`,
      telegramBot: `chatbot-${stack}-telegram-bot`,
      discordBot: `chatbot-${stack}-discord-bot`,
    });
  });

  it("sizes tasks and autoscaling from config: CPU for all, ALB requests per task for the API", () => {
    for (const [svc, key] of Object.entries(SIZING)) {
      expect(one(plan, TASK, `${svc}-task`).inputs).toMatchObject({ cpu: cfg(`${key}Cpu`), memory: cfg(`${key}Memory`) });
      // A bot's count is no setting: always SINGLE_CONSUMER_TASKS (one token, one consumer).
      const [min, max] = svc === "api" ? [num("apiMinCount"), num("apiMaxCount")] : [SINGLE_CONSUMER_TASKS, SINGLE_CONSUMER_TASKS];
      expect(one(plan, SERVICE, `${svc}-service`).inputs.desiredCount).toBe(min);
      const target = one(plan, "aws:appautoscaling/target:Target", `${svc}-scaling`);
      expect(target.inputs).toMatchObject({
        minCapacity: min,
        maxCapacity: max,
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/chatbot-${stack}/chatbot-${stack}-${svc}`,
      });
      const cpu = one(plan, "aws:appautoscaling/policy:Policy", `${svc}-cpu`).inputs.targetTrackingScalingPolicyConfiguration as any;
      expect(cpu.predefinedMetricSpecification.predefinedMetricType).toBe("ECSServiceAverageCPUUtilization");
      expect(cpu.targetValue).toBe(num(svc === "api" ? "apiCpuTargetPercent" : "botCpuTargetPercent"));
    }
    const requests = one(plan, "aws:appautoscaling/policy:Policy", "api-requests").inputs.targetTrackingScalingPolicyConfiguration as any;
    expect(requests.targetValue).toBe(num("apiRequestsPerTarget"));
    expect(requests.predefinedMetricSpecification).toEqual({
      predefinedMetricType: "ALBRequestCountPerTarget",
      resourceLabel: `${plan.outputs.albArnSuffix}/${plan.outputs.apiTargetGroupArnSuffix}`,
    });
    expect(ofType(plan, "aws:appautoscaling/policy:Policy").filter((p) => /^(telegram|discord)-bot-requests$/.test(p.name))).toEqual([]);
  });

  it("releases without downtime and rolls back a release that does not get healthy", () => {
    // The API overlaps old and new tasks; a bot (one consumer per token) never runs two copies.
    for (const svc of Object.keys(EXPECTED_SECRETS)) {
      const bot = svc !== "api";
      expect(one(plan, SERVICE, `${svc}-service`).inputs).toMatchObject({
        deploymentMinimumHealthyPercent: bot ? 0 : 100,
        deploymentMaximumPercent: bot ? 100 : 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        enableExecuteCommand: false,
        propagateTags: "SERVICE",
        waitForSteadyState: true,
      });
    }
    const api = one(plan, SERVICE, "api-service").inputs;
    expect(api.healthCheckGracePeriodSeconds).toBeGreaterThan(0);
    expect(api.loadBalancers).toEqual([{ containerName: "api", containerPort: 8000, targetGroupArn: mockArn("lb", "api-tg") }]);
    for (const bot of ["telegram-bot", "discord-bot"]) {
      const inputs = one(plan, SERVICE, `${bot}-service`).inputs;
      expect(inputs.loadBalancers).toBeUndefined();
      expect(inputs.healthCheckGracePeriodSeconds).toBeUndefined();
      expect(container(plan, bot).portMappings).toEqual([]);
    }
  });

  it("hardens every container: read-only root, /tmp the only writable path, non-root, init process, logs with retention", () => {
    for (const svc of Object.keys(EXPECTED_SECRETS)) {
      const c = container(plan, svc);
      expect(c.readonlyRootFilesystem).toBe(true);
      expect(c.privileged).toBe(false);
      expect(c.linuxParameters).toEqual({ initProcessEnabled: true });
      expect(c.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(c.mountPoints).toEqual([{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
      expect(one(plan, TASK, `${svc}-task`).inputs.volumes).toEqual([{ name: "tmp" }]);
      const logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", `${svc}-logs`);
      expect(logs.inputs.retentionInDays).toBe(num("appLogRetentionDays"));
      expect(c.logConfiguration).toEqual({
        logDriver: "awslogs",
        options: { "awslogs-group": logs.inputs.name, "awslogs-region": "eu-central-1", "awslogs-stream-prefix": svc },
      });
    }
  });

  it.each(Object.keys(EXPECTED_SECRETS))("gives %s exactly the secrets it uses, each from the right store", (svc) => {
    const secrets = ofType(plan, "aws:secretsmanager/secret:Secret");
    const expected = Object.entries(EXPECTED_SECRETS[svc]).map(([env, source]) => {
      const [store, jsonKey] = source.split(":");
      const secret = secrets.find((s) => s.inputs.name === `chatbot-${stack}/${store}`);
      expect(secret).toBeDefined();
      // Pinned to the secret's current version: `<arn>:<json key>::<version id>`.
      const arn = mockArn("secretsmanager", secret!.name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return { name: env, valueFrom: expect.stringMatching(new RegExp(`^${arn}:${jsonKey ?? ""}::[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$`)) };
    });
    const actual = container(plan, svc).secrets as { name: string; valueFrom: string }[];
    expect([...actual].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it("keeps every secret out of the plain environment", () => {
    for (const svc of Object.keys(EXPECTED_SECRETS)) {
      const c = container(plan, svc);
      const secretNames = new Set((c.secrets as any[]).map((s) => s.name));
      expect(c.environment.length).toBeGreaterThan(0);
      for (const e of c.environment) {
        expect(secretNames.has(e.name)).toBe(false);
        expect(secretLooking(e.name, e.value)).toBeUndefined();
      }
    }
  });

  it("lets each execution role pull its own image, write its own logs and read exactly its own secrets", () => {
    for (const svc of Object.keys(EXPECTED_SECRETS)) {
      const statements = policyOf(plan, `${svc}-execution`);
      const c = container(plan, svc);
      const secretArns = [...new Set((c.secrets as any[]).map((s) => secretArnOfValueFrom(s.valueFrom)))].sort();
      const sid = (s: string) => statements.find((x) => x.Sid === s);
      expect(sid("ReadSecrets")).toMatchObject({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns });
      expect(sid("DecryptSecrets").Action).toBe("kms:Decrypt");
      expect(sid("DecryptSecrets").Condition.StringEquals).toEqual({
        "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com",
        "kms:EncryptionContext:SecretARN": secretArns,
      });
      expect(sid("PullImage").Resource).toBe(`arn:aws:ecr:eu-central-1:${ACCOUNT}:repository/chatbot-${stack}-${svc}`);
      expect(sid("WriteLogs").Resource).toBe(`${mockArn("cloudwatch", `${svc}-logs`)}:log-stream:*`);
      // The only "*" resource: GetAuthorizationToken, which has no resource to scope to.
      const wildcard = statements.filter((s) => [s.Resource].flat().includes("*"));
      expect(wildcard.map((s) => s.Action)).toEqual(["ecr:GetAuthorizationToken"]);
    }
  });

  it("gives the task roles nothing, and lets only this account's ECS tasks assume either role", () => {
    for (const svc of Object.keys(EXPECTED_SECRETS)) {
      expect(ofType(plan, ROLE_POLICY).filter((p) => p.name === `${svc}-task`)).toEqual([]);
      for (const role of [`${svc}-task`, `${svc}-execution`]) {
        const trust = parseJsonInput(one(plan, "aws:iam/role:Role", role), "assumeRolePolicy").Statement;
        expect(trust).toEqual([
          expect.objectContaining({
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            // SourceArn on task roles only: AWS documents it for task roles, not for the agent's execution role.
            Condition: role.endsWith("-task")
              ? { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ecs:eu-central-1:${ACCOUNT}:*` } }
              : { StringEquals: { "aws:SourceAccount": ACCOUNT } },
          }),
        ]);
      }
    }
  });

  it("has no IAM policy anywhere in the stack that allows * on *", () => {
    const docs = [
      ...ofType(plan, ROLE_POLICY).map((p) => parseJsonInput(p, "policy")),
      ...ofType(plan, "aws:iam/policy:Policy").map((p) => parseJsonInput(p, "policy")),
    ];
    expect(docs.length).toBeGreaterThanOrEqual(6);
    for (const doc of docs) {
      for (const s of [doc.Statement].flat()) {
        const all = [s.Action].flat().some((a: string) => a === "*" || a === "*:*");
        expect(s.Effect === "Allow" && all && [s.Resource].flat().includes("*")).toBe(false);
      }
    }
  });
});

describe("bots switched off in config", () => {
  let plan: Plan;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bots-off-"));
    const file = path.join(dir, "Pulumi.staging.yaml");
    const text = fs
      .readFileSync(path.join(__dirname, "..", "Pulumi.staging.yaml"), "utf8")
      .replace(/chatbot:telegramBotEnabled: true/, "chatbot:telegramBotEnabled: false")
      .replace(/chatbot:discordBotEnabled: true/, "chatbot:discordBotEnabled: false");
    expect(text).toMatch(/telegramBotEnabled: false[\s\S]*discordBotEnabled: false/);
    fs.writeFileSync(file, text);
    plan = (await planFor("staging", { configFile: file })).plan;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("creates no bot service, task definition, role, scaling or token secret, and keeps the API", () => {
    const bot = (r: PlanResource) => /(telegram|discord)-bot/.test(r.name) && !r.type.startsWith("sentry:") && !/sentry|dsn|images-/.test(r.name);
    const left = plan.resources.filter((r) => r.urn.includes("chatbot:containers:") && bot(r));
    expect(left.map((r) => `${r.type} ${r.name}`)).toEqual([]);
    expect(ofType(plan, "aws:secretsmanager/secret:Secret").map((s) => s.inputs.name)).not.toContainEqual(expect.stringMatching(/bot-token/));
    expect(ofType(plan, SERVICE).map((s) => s.name)).toContain("api-service");
    expect(plan.outputs.ecsServiceNames).toEqual({ api: "chatbot-staging-api" });
  });
});
