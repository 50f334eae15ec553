import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import YAML from "yaml";
import { ConfigError, validateConfig, isIpv4Cidr } from "../infra/config/validate";
import { loadStackConfig } from "../tools/plan/stackConfig";
import { retiredKeys } from "../infra/config/keys/retired";
import { CACHE_EVICTION_POLICY } from "../components/data/cache";
import { APP_DB_NAME } from "../components/data/database";
import { APP_EXTENSIONS } from "../components/data/dbBootstrap";
import { SCRUBBED_FIELDS } from "../components/monitoring/sentry";
import { SINGLE_CONSUMER_TASKS } from "../components/containers/service";

const ROOT = path.resolve(__dirname, "..");

function raw(stack: string, overrides: Record<string, string | undefined> = {}) {
  const loaded = loadStackConfig(stack);
  const config = { ...loaded.config };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete config[`chatbot:${k}`];
    else config[`chatbot:${k}`] = v;
  }
  return { config, secretKeys: new Set(loaded.secretKeys) };
}

function problems(stack: string, overrides: Record<string, string | undefined>, secretKeys?: Set<string>): ConfigError {
  const r = raw(stack, overrides);
  try {
    validateConfig("chatbot", stack, r.config, secretKeys ?? r.secretKeys);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected the config to be rejected");
}

describe("config validation", () => {
  it.each(["staging", "prod", "preview"])("accepts the committed %s stack file", (stack) => {
    const r = raw(stack);
    const { settings, secrets } = validateConfig("chatbot", stack, r.config, r.secretKeys);
    expect(settings.tier).toBe({ staging: "staging", prod: "production", preview: "preview" }[stack]);
    expect(Object.keys(secrets).sort()).toEqual(["appSecretKey", "discordBotToken", "llmApiKey", "sentryAuthToken", "stripeApiKey", "telegramBotToken"]);
  });

  it.each([
    ["azCount", "1", /azCount = "1": expected an integer >= 2/],
    ["azCount", "two", /azCount = "two": expected an integer/],
    ["dbBackupRetentionDays", "0", /dbBackupRetentionDays = "0": expected an integer >= 1 and <= 35/],
    ["dbAllocatedStorageGb", "5", /dbAllocatedStorageGb = "5": expected an integer >= 20/],
    ["apiMinCount", "0", /apiMinCount = "0": expected an integer >= 1/],
    ["backupRetentionDays", "-3", /backupRetentionDays = "-3"/],
    ["dbInstanceClass", "db.x9.huge", /dbInstanceClass = "db.x9.huge": expected an RDS class/],
    ["redisNodeType", "cache.t1.micro", /redisNodeType = "cache.t1.micro": expected an ElastiCache node type/],
    ["natGateways", "many", /natGateways = "many": expected one of perAz, single/],
    ["backupSchedule", "every day at 2", /backupSchedule = "every day at 2": expected an EventBridge Scheduler expression/],
    ["backupSchedule", "cron(0 2 * * *)", /backupSchedule = "cron\(0 2 \* \* \*\)"/],
    ["vpcCidr", "10.0.0.1/16", /vpcCidr = "10.0.0.1\/16": expected an IPv4 CIDR/],
    ["vpcCidr", "10.0.0.0/8", /vpcCidr = "10.0.0.0\/8"/],
    ["alertEmail", "ops-at-example", /alertEmail = "ops-at-example": expected an e-mail address/],
    ["dbMultiAz", "yes", /dbMultiAz = "yes": expected true or false/],
    ["flowLogRetentionDays", "10", /flowLogRetentionDays = "10": expected one of 1, 3, 5, 7, 14, 30/],
    ["chromaImage", "chromadb/chroma:latest", /chromaImage = "chromadb\/chroma:latest": expected an image reference/],
    ["apiImage", "nginx", /apiImage = "nginx": expected empty or `build:<context dir>/],
    ["wafPathRateLimits", '["/api/chat"]', /wafPathRateLimits = .*expected a list of `\/path=limit` entries/],
    [
      "tier",
      undefined,
      /tier = \(not set\): required; set it to one of production, staging, preview: `pulumi config set chatbot:tier <value> --stack staging`/,
    ],
  ])("rejects %s = %s naming the key", (key, value, message) => {
    const e = problems("staging", { [key]: value });
    expect(e.message).toMatch(message);
    expect(e.issues.map((i) => i.key)).toEqual([key]);
  });

  it("rejects an unknown key in the project namespace and suggests the likely one", () => {
    const e = problems("staging", { dbMultiAZ: "true" });
    expect(e.message).toMatch(/chatbot:dbMultiAZ = "true": unknown key \(did you mean dbMultiAz\?\)/);
  });

  it("lists every bad key in one error", () => {
    const e = problems("staging", { azCount: "1", natGateways: "many", bogusKey: "x" });
    expect(e.issues.map((i) => i.key).sort()).toEqual(["azCount", "bogusKey", "natGateways"]);
    expect(e.message).toMatch(/3 problems/);
  });

  it("names the exact command for a missing secret, without showing any value", () => {
    const e = problems("prod", { stripeApiKey: undefined });
    expect(e.message).toContain(
      "chatbot:stripeApiKey = (not set): required secret is missing: run `pulumi config set --secret chatbot:stripeApiKey <value> --stack prod`",
    );
  });

  it("refuses a secret stored in plain text, and never echoes it", () => {
    const r = raw("staging");
    r.secretKeys.delete("chatbot:llmApiKey");
    const e = problems("staging", {}, r.secretKeys);
    expect(e.message).toMatch(/chatbot:llmApiKey = "\[secret\]": must be stored encrypted: run `pulumi config set --secret chatbot:llmApiKey/);
    expect(e.message).not.toContain(r.config["chatbot:llmApiKey"]);
  });

  it.each([
    ["staging", "sk_live_abc", /a staging stack must use a test key/],
    ["prod", "sk_test_abc", /a production stack needs a live key/],
  ])("checks Stripe test-versus-live keys against the tier (%s)", (stack, key, message) => {
    const e = problems(stack, { stripeApiKey: key });
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(key);
  });

  it.each([
    [{ dbAllocatedStorageGb: "200", dbMaxAllocatedStorageGb: "100" }, /dbAllocatedStorageGb = "200": must be <= dbMaxAllocatedStorageGb/],
    [{ apiMinCount: "5", apiMaxCount: "2" }, /apiMinCount = "5": must be <= apiMaxCount/],
    [{ apiCpu: "256", apiMemory: "4096" }, /apiMemory = "4096": with apiCpu=256 Fargate allows 512 to 2048 MiB/],
    [{ backupObjectLockDays: "60", backupRetentionDays: "30" }, /backupObjectLockDays = "60": must be <= backupRetentionDays/],
  ])("checks keys that depend on each other: %o", (overrides, message) => {
    expect(problems("staging", overrides).message).toMatch(message);
  });

  it("refuses a retired key set to anything but its constant, and says how to remove it", () => {
    const e = problems("staging", { telegramBotMaxCount: "3", dbName: "other" });
    expect(e.message).toMatch(
      /telegramBotMaxCount = "3": no longer a setting: a bot always runs exactly one task .*`pulumi config rm chatbot:telegramBotMaxCount --stack staging`/,
    );
    expect(e.message).toMatch(/dbName = "other": no longer a setting: the application database is always `chatbot`/);
  });

  it("accepts a retired key still set to its constant (stacks copied from the old template)", () => {
    const r = raw("preview", { telegramBotMinCount: "1", discordBotMaxCount: "1", dbName: "chatbot" });
    const { settings } = validateConfig("chatbot", "preview", r.config, r.secretKeys);
    expect(Object.keys(settings)).not.toEqual(expect.arrayContaining(["telegramBotMinCount"]));
    expect(Object.keys(settings)).not.toContain("dbName");
    expect(problems("preview", { telegramBotMinCount: "1", unknownThing: "x" }).message).not.toMatch(/telegramBotMinCount/);
  });

  it("refuses a retired list or policy set to another value, and accepts the constant however the list is spaced", () => {
    const e = problems("staging", { dbExtensions: '["pgcrypto","postgis"]', sentrySensitiveFields: '["email"]', redisMaxmemoryPolicy: "noeviction" });
    expect(e.message).toMatch(/dbExtensions = "\[\\"pgcrypto\\",\\"postgis\\"\]": no longer a setting: the extensions are the app's/);
    expect(e.message).toMatch(/sentrySensitiveFields = "\[\\"email\\"\]": no longer a setting: every stack scrubs the same/);
    expect(e.message).toMatch(/redisMaxmemoryPolicy = "noeviction": no longer a setting: the cache always evicts/);
    const r = raw("staging", {
      dbExtensions: '[ "pgcrypto" ]',
      redisMaxmemoryPolicy: "allkeys-lru",
      sentrySensitiveFields: JSON.stringify([...SCRUBBED_FIELDS], null, 1),
    });
    expect(Object.keys(validateConfig("chatbot", "staging", r.config, r.secretKeys).settings)).not.toContain("dbExtensions");
  });

  it("keeps each retired key's accepted value equal to the constant that replaced it", () => {
    const asData = (v: string) => JSON.stringify(JSON.parse(v));
    expect(asData(retiredKeys.dbExtensions.value)).toBe(JSON.stringify(APP_EXTENSIONS));
    expect(asData(retiredKeys.sentrySensitiveFields.value)).toBe(JSON.stringify(SCRUBBED_FIELDS));
    expect(retiredKeys.redisMaxmemoryPolicy.value).toBe(CACHE_EVICTION_POLICY);
    expect(retiredKeys.dbName.value).toBe(APP_DB_NAME);
    expect(retiredKeys.telegramBotMaxCount.value).toBe(String(SINGLE_CONSUMER_TASKS));
  });

  it("accepts only network addresses as CIDRs", () => {
    expect(isIpv4Cidr("10.20.0.0/16")).toBe(true);
    expect(isIpv4Cidr("10.20.16.0/20")).toBe(true);
    expect(isIpv4Cidr("10.20.1.0/20")).toBe(false);
    expect(isIpv4Cidr("300.0.0.0/16")).toBe(false);
  });
});

describe("npm run plan with an invalid config", () => {
  it("exits 1 with the validation message on stderr and writes no plan", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "badcfg-"));
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    doc.config["chatbot:azCount"] = 1;
    doc.config["chatbot:backupSchedul"] = "cron(0 2 * * ? *)";
    const file = path.join(dir, "bad.yaml");
    fs.writeFileSync(file, YAML.stringify(doc));
    const out = path.join(dir, "plan.json");
    const r = spawnSync(process.execPath, [require.resolve("tsx/cli"), "tools/plan/cli.ts", "staging", "--config", file, "--json", out], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/chatbot:azCount = "1": expected an integer >= 2/);
    expect(r.stderr).toMatch(/chatbot:backupSchedul = .*unknown key \(did you mean backupSchedule\?\)/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
