/**
 * Rotation (issue 17): a new secret value rolls exactly the services that read it. Staging is
 * rendered with one secret value, then another; the plans must differ in exactly those services'
 * task definitions (and so their services). Generated credentials rotate through
 * `credentialRotation`, written by `npm run rotate`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { planFor } from "./support/plan";
import { changedUrns, shortNames } from "./support/changes";
import { rotate, RotateError } from "../tools/rotate/rotate";
import { validateConfig } from "../infra/config/validate";
import { loadStackConfig } from "../tools/plan/stackConfig";
import type { Plan } from "../tools/plan/types";

const ROOT = path.resolve(__dirname, "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotation-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof content === "string" ? content : YAML.stringify(content));
  return file;
}

/** Staging's stack file with some keys changed. */
function staging(changes: Record<string, unknown>): string {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  Object.assign(doc.config, changes);
  return write(`staging-${Object.keys(changes).join("-")}-${Math.random().toString(36).slice(2)}.yaml`, doc);
}

const services = (...names: string[]) =>
  names.flatMap((n) => [`aws:ecs/service:Service::${n}-service`, `aws:ecs/taskDefinition:TaskDefinition::${n}-task`]).sort();

describe("rotating a config secret", () => {
  let base: Plan;
  beforeAll(async () => {
    base = (await planFor("staging", { secretsFile: write("a.yaml", { llmApiKey: "llm-key-one" }) })).plan;
  });

  it("a new llmApiKey changes the task definitions (and services) of exactly the API and both bots", async () => {
    const after = (await planFor("staging", { secretsFile: write("b.yaml", { llmApiKey: "llm-key-two" }) })).plan;
    expect(shortNames(changedUrns(base, after)).sort()).toEqual(services("api", "discord-bot", "telegram-bot"));
  });

  it("a new Telegram token rolls the Telegram bot only", async () => {
    const after = (
      await planFor("staging", { secretsFile: write("c.yaml", { llmApiKey: "llm-key-one", telegramBotToken: "987654:another-telegram-token-00000000000000" }) })
    ).plan;
    expect(shortNames(changedUrns(base, after)).sort()).toEqual(services("telegram-bot"));
  });

  it("the same values render the same plan (the version ids are deterministic)", async () => {
    const again = (await planFor("staging", { secretsFile: write("a2.yaml", { llmApiKey: "llm-key-one" }) })).plan;
    expect(changedUrns(base, again)).toEqual([]);
  });
});

describe("rotating a generated credential on command", () => {
  let base: Plan;
  beforeAll(async () => {
    base = (await planFor("staging", { configFile: staging({}) })).plan;
  });
  const changedTasks = (after: Plan) =>
    shortNames(changedUrns(base, after))
      .filter((n) => n.startsWith("aws:ecs/taskDefinition"))
      .sort();

  it("redisAuthToken: a new token (kept beside the old one: ROTATE) rolls the Redis clients, not Chroma", async () => {
    const after = (
      await planFor("staging", {
        configFile: staging({ "chatbot:credentialRotation": ["redisAuthToken=1"], "chatbot:redisAuthTokenUpdateStrategy": "ROTATE" }),
      })
    ).plan;
    const changed = shortNames(changedUrns(base, after));
    expect(changed).toContain("random:index/randomPassword:RandomPassword::redis-auth-token");
    expect(changed).toContain("aws:elasticache/replicationGroup:ReplicationGroup::redis-group");
    expect(after.resources.find((r) => r.name === "redis-group")!.inputs.authTokenUpdateStrategy).toBe("ROTATE");
    expect(changedTasks(after)).toEqual(["api-task", "discord-bot-task", "telegram-bot-task"].map((t) => `aws:ecs/taskDefinition:TaskDefinition::${t}`));
    expect(base.resources.find((r) => r.name === "redis-group")!.inputs.authTokenUpdateStrategy).toBe("SET");
  });

  it("chromaToken: Chroma and its clients roll together", async () => {
    const after = (await planFor("staging", { configFile: staging({ "chatbot:credentialRotation": ["chromaToken=1"] }) })).plan;
    expect(changedTasks(after)).toEqual(
      ["api-task", "chroma-task", "discord-bot-task", "telegram-bot-task"].map((t) => `aws:ecs/taskDefinition:TaskDefinition::${t}`),
    );
  });

  it("postgresAppPassword: the bootstrap re-runs (ALTER ROLE) before the services roll", async () => {
    const after = (await planFor("staging", { configFile: staging({ "chatbot:credentialRotation": ["postgresAppPassword=1"] }) })).plan;
    const changed = shortNames(changedUrns(base, after));
    expect(changed).toContain("command:local:Command::db-bootstrap-run");
    expect(changedTasks(after)).toEqual(["api-task", "discord-bot-task", "telegram-bot-task"].map((t) => `aws:ecs/taskDefinition:TaskDefinition::${t}`));
  });

  it("generation 0 sets no keepers, so existing stacks keep their credentials", () => {
    for (const name of ["redis-auth-token", "chroma-token", "postgres-app-password", "postgres-backup-password"]) {
      expect(base.resources.find((r) => r.name === name)!.inputs).not.toHaveProperty("keepers");
    }
  });

  it("an unknown credential fails config validation, naming it", () => {
    const loaded = loadStackConfig("staging");
    const cfg = { ...loaded.config, "chatbot:credentialRotation": JSON.stringify(["chromaToken=1", "sessionKey=2"]) };
    let message = "";
    try {
      validateConfig("chatbot", "staging", cfg, new Set(loaded.secretKeys));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n").slice(1)).toEqual([
      expect.stringMatching(/^ {2}- chatbot:credentialRotation = .*: unknown credential "sessionKey": rotatable are redisAuthToken, /),
    ]);
  });
});

describe("npm run rotate", () => {
  it("raises the generation and, for Redis, switches to ROTATE; --finish switches back to SET", () => {
    const file = staging({});
    const first = rotate(file, "staging", "redisAuthToken");
    expect(first.changed).toEqual(["chatbot:credentialRotation: redisAuthToken=1", "chatbot:redisAuthTokenUpdateStrategy: ROTATE"]);
    rotate(file, "staging", "redisAuthToken");
    rotate(file, "staging", "chromaToken");
    let cfg = YAML.parse(fs.readFileSync(file, "utf8")).config;
    expect(cfg["chatbot:credentialRotation"]).toEqual(["chromaToken=1", "redisAuthToken=2"]);
    expect(cfg["chatbot:redisAuthTokenUpdateStrategy"]).toBe("ROTATE");
    rotate(file, "staging", "redisAuthToken", { finish: true });
    cfg = YAML.parse(fs.readFileSync(file, "utf8")).config;
    expect(cfg["chatbot:redisAuthTokenUpdateStrategy"]).toBe("SET");
  });

  it("keeps the stack file's comments", () => {
    const file = write("commented.yaml", fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    rotate(file, "staging", "postgresBackupPassword");
    expect(fs.readFileSync(file, "utf8")).toMatch(/^# staging: every non-secret setting written out/);
  });

  it("a config secret is rotated by setting it: the command says how and writes nothing", () => {
    const file = staging({});
    const before = fs.readFileSync(file, "utf8");
    expect(rotate(file, "staging", "llmApiKey").next[0]).toBe("pulumi config set --secret chatbot:llmApiKey <new value> --stack staging");
    expect(fs.readFileSync(file, "utf8")).toBe(before);
  });

  it("an unknown secret: one line naming it, exit 1, the stack file untouched", () => {
    const file = staging({});
    const before = fs.readFileSync(file, "utf8");
    expect(() => rotate(file, "staging", "sessionKey")).toThrow(RotateError);
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/rotate/cli.ts", "staging", "sessionKey", "--config", file],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^rotate: unknown secret "sessionKey"; known: redisAuthToken, /)]);
    expect(fs.readFileSync(file, "utf8")).toBe(before);
  });
});
