/**
 * Pulumi ESC environments offline (tools/plan/esc.ts): a stack file's `environment:` imports are
 * resolved from ESC-shaped files, their pulumiConfig becomes stack config (the stack file wins),
 * `fn::secret` values stay secret, and what only Pulumi Cloud can resolve is refused by name.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { secretKeys as declaredSecrets } from "../infra/config/keys";
import { loadStackConfig } from "../tools/plan/stackConfig";
import { one, planFor } from "./support/plan";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures/esc");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "esc-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Pulumi.staging.yaml importing `envs`, less the keys the environments are to supply. */
function stackFile(envs: string[], without: string[] = []): string {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  doc.environment = envs;
  for (const k of without) delete doc.config[k];
  const file = path.join(tmp, `Pulumi.${envs.join("_").replace(/\W/g, "-")}-${without.length}.yaml`);
  fs.writeFileSync(file, YAML.stringify(doc));
  return file;
}

function envDir(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(tmp, "envs-"));
  for (const [name, doc] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.yaml`), YAML.stringify(doc));
  }
  return dir;
}

describe("a stack file's ESC environments, offline", () => {
  const configFile = stackFile(["fx/staging"], ["chatbot:alertEmail"]);
  const cfg = loadStackConfig("staging", { configFile, environmentsDir: FIXTURES });

  it("supply config the stack file leaves out, the importing environment winning over its import", () => {
    expect(cfg.environments).toEqual(["fx/staging"]);
    expect(cfg.config["chatbot:alertEmail"]).toBe("from-esc@chatbot.example");
    expect(cfg.fromEnvironment).toEqual(["chatbot:alertEmail", "chatbot:llmApiKey"]);
  });

  it("never override the stack file's own config", () => {
    expect(cfg.config["chatbot:sentryErrorSpikeEvents"]).toBe("100");
  });

  it("keep fn::secret values secret: a plaintext one with its value, a ciphertext one as a placeholder", () => {
    expect(cfg.secretKeys).toEqual(expect.arrayContaining(["chatbot:llmApiKey", "chatbot:sentryAuthToken"]));
    expect(cfg.config["chatbot:llmApiKey"]).toBe("sk-esc-fixture-0123456789");
    expect(cfg.placeholders).toContain("sentryAuthToken");
    expect(cfg.placeholders).not.toContain("llmApiKey");
  });

  it("reach the program: the plan subscribes the environment's alert address, and shows the secret as [secret]", async () => {
    const { plan } = await planFor("staging", { configFile, environmentsDir: FIXTURES });
    expect(one(plan, "aws:sns/topicSubscription:TopicSubscription", /email/).inputs.endpoint).toBe("from-esc@chatbot.example");
    expect(JSON.stringify(plan)).not.toContain("sk-esc-fixture-0123456789");
  }, 180_000);

  it.each([
    [
      "a provider",
      { "e/a": { values: { pulumiConfig: { "chatbot:llmApiKey": { "fn::open::aws-secrets": { get: {} } } } } } },
      /ESC environment e\/a: pulumiConfig.chatbot:llmApiKey: fn::open::aws-secrets is not resolved offline/,
    ],
    [
      "an interpolation",
      { "e/a": { values: { pulumiConfig: { "chatbot:alertEmail": "${team}@chatbot.example" } } } },
      /pulumiConfig.chatbot:alertEmail: interpolation \(\$\{...\}\) is not resolved offline/,
    ],
    ["an import cycle", { "e/a": { imports: ["e/b"] }, "e/b": { imports: ["e/a"] } }, /ESC environment e\/a imports itself: e\/a -> e\/b -> e\/a/],
    ["a missing import", { "e/a": { imports: ["e/gone"] } }, /ESC environment e\/gone \(imported by e\/a\) has no offline copy: expected .*e\/gone\.yaml/],
  ])("refuse %s in one line naming it", (_what, files, message) => {
    expect(() => loadStackConfig("staging", { configFile: stackFile(["e/a"]), environmentsDir: envDir(files) })).toThrow(message);
  });
});

describe("the committed environments", () => {
  it.each(["staging", "prod", "preview"])("Pulumi.%s.yaml imports its own, whose offline copy lists every declared secret", (stack) => {
    const cfg = loadStackConfig(stack);
    expect(cfg.environments).toEqual([`chatbot/${stack}`]);
    const copy = YAML.parse(fs.readFileSync(path.join(ROOT, `esc/chatbot/${stack}.yaml`), "utf8"));
    const keys = Object.keys(copy.values.pulumiConfig);
    expect(keys.sort()).toEqual(
      Object.keys(declaredSecrets)
        .map((k) => `chatbot:${k}`)
        .sort(),
    );
    // No plaintext is ever committed: each is ESC ciphertext's stand-in.
    for (const k of keys) expect(Object.keys(copy.values.pulumiConfig[k]["fn::secret"])).toEqual(["ciphertext"]);
  });
});
