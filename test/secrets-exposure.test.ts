import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ofType, parseJsonInput, planFor } from "./support/plan";
import { secretLooking } from "../policy/rules/ecs";
import type { Plan } from "../tools/plan/types";

/** Values no resource name, default or placeholder could contain by accident; each passes validation. */
function distinctive(stack: string, live: boolean): Record<string, string> {
  const tag = `DISTINCTIVE${stack.toUpperCase()}7f3a9c`;
  return {
    telegramBotToken: `918273645:${tag}-telegram-token-0123456789`,
    discordBotToken: `${tag}-discord-token`,
    appSecretKey: `${tag}-app-secret-key-0123456789abcdef`,
    stripeApiKey: `sk_${live ? "live" : "test"}_${tag}stripe`,
    llmApiKey: `${tag}-llm-api-key`,
    sentryAuthToken: `${tag}-sentry-auth-token`,
  };
}

describe.each([
  ["staging", false],
  ["prod", true],
])("secrets of %s with real values supplied", (stack, live) => {
  let plan: Plan;
  let placeholders: string[];
  let dir: string;
  const values = distinctive(stack, live);
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
    const secretsFile = path.join(dir, "secrets.yaml");
    fs.writeFileSync(secretsFile, YAML.stringify(values));
    const rendered = await planFor(stack, { secretsFile });
    plan = rendered.plan;
    placeholders = rendered.config.placeholders;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("rendered with the supplied values, not placeholders", () => {
    for (const key of Object.keys(values)) expect(placeholders).not.toContain(key);
  });

  it("shows none of the values anywhere in the plan (inputs, options, outputs)", () => {
    const text = JSON.stringify(plan);
    const leaked = Object.entries(values)
      .filter(([, v]) => text.includes(v))
      .map(([k]) => k);
    expect(leaked).toEqual([]);
    // Nor any recognisable part of them.
    expect(text).not.toContain(`DISTINCTIVE${stack.toUpperCase()}`);
  });

  it("stores each app secret the containers read in Secrets Manager as a secret value", () => {
    const versions = ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion").filter((v) => v.name.startsWith("app-secrets-"));
    expect(versions.map((v) => v.name).sort()).toEqual(
      ["app-secret-key", "discord-bot-token", "llm-api-key", "stripe-api-key", "telegram-bot-token"].map((n) => `app-secrets-${n}`),
    );
    for (const v of versions) expect(v.inputs.secretString).toBe("[secret]");
  });

  it("keeps every task definition's environment free of secrets; they come only as ECS secrets", () => {
    const tasks = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition");
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    for (const task of tasks) {
      expect(task.inputs.containerDefinitions).not.toBe("[secret]");
      for (const c of parseJsonInput<any[]>(task, "containerDefinitions")) {
        for (const e of c.environment ?? []) {
          expect({ task: task.name, env: e.name, why: secretLooking(e.name, e.value) }).toEqual({ task: task.name, env: e.name, why: undefined });
        }
        for (const s of c.secrets ?? []) expect(s.valueFrom).toMatch(/^arn:aws:(secretsmanager|ssm):/);
      }
    }
  });
});
