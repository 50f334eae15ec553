/**
 * A pr-<n> stack with the preview template's own ESC environment and secrets provider: its
 * secrets come from that environment, never from staging's decrypted config; a backend without
 * ESC (CHATBOT_ESC_OFFLINE_DIR, the engine tests' file backend) falls back to staging's, saying so.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PreviewBackend, UpOptions } from "../../tools/preview-stack/automation";
import { SHARED_OUTPUTS } from "../../infra/parts/shared";
import { run } from "../../tools/preview-stack/cli";

const KMS = "awskms://alias/chatbot-preview-pulumi-secrets?region=eu-central-1";

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-esc-"));
  fs.mkdirSync(path.join(dir, "esc", "chatbot"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.preview.yaml"),
    `secretsprovider: ${KMS}\nenvironment:\n  - chatbot/preview\nconfig:\n  chatbot:tier: preview\n  chatbot:sharedInfraStack: staging\n  chatbot:dbInstanceClass: db.t4g.micro\n`,
  );
  fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config:\n  chatbot:telegramBotToken:\n    secure: AAAB\n");
  fs.writeFileSync(
    path.join(dir, "esc", "chatbot", "preview.yaml"),
    "values:\n  pulumiConfig:\n    chatbot:telegramBotToken:\n      fn::secret:\n        ciphertext: ZXNjeA==\n",
  );
  const calls: { readConfig: string[]; up: { stack: string; config: unknown; opts: UpOptions }[] } = { readConfig: [], up: [] };
  const backend: PreviewBackend = {
    readConfig: async (s) => {
      calls.readConfig.push(s);
      return { "chatbot:telegramBotToken": { value: "staging-token", secret: true } };
    },
    readTags: async () => null,
    readOutputs: async () => Object.fromEntries(SHARED_OUTPUTS.map((k) => [k, `staging-${k}`])),
    up: async (stack, config, _tags, opts) => {
      calls.up.push({ stack, config, opts });
      return {};
    },
    destroy: async () => false,
    list: async () => [],
  };
  let err = "";
  const planFacts = async (stack: string) => ({
    resources: 1,
    components: [],
    summary: `Plan of chatbot/${stack}`,
    monthlyUsd: 1,
    createSeconds: 60,
    lender: "staging",
  });
  const deps = {
    connect: async () => backend,
    planFacts,
    workDir: dir,
    now: () => new Date("2026-03-10T12:00:00Z"),
    out: () => undefined,
    err: (s: string) => (err += s),
  };
  return { dir, calls, deps, err: () => err };
}

const saved = { ...process.env };
afterEach(() => {
  delete process.env.CHATBOT_ESC_OFFLINE_DIR;
  delete process.env.CHATBOT_PREVIEW_SECRETS_PROVIDER;
  Object.assign(process.env, saved);
});

it("imports the template's environment, copies no secret from staging, and creates the stack with the template's secrets provider", async () => {
  delete process.env.CHATBOT_ESC_OFFLINE_DIR;
  delete process.env.CHATBOT_PREVIEW_SECRETS_PROVIDER;
  const t = setup();
  expect(await run(["up", "5"], t.deps)).toBe(0);
  expect(t.calls.readConfig).toEqual([]);
  expect(t.calls.up).toHaveLength(1);
  const { config, opts } = t.calls.up[0];
  expect(config).toEqual({
    "chatbot:tier": { value: "preview" },
    "chatbot:sharedInfraStack": { value: "staging" },
    "chatbot:dbInstanceClass": { value: "db.t4g.micro" },
  });
  expect([opts.environments, opts.secretsProvider]).toEqual([["chatbot/preview"], KMS]);
  expect(t.err()).toMatch(/0 secrets copied from staging, ESC environments chatbot\/preview/);
});

it("on a backend without ESC, says so and takes the secrets from staging as without ESC", async () => {
  process.env.CHATBOT_ESC_OFFLINE_DIR = "/nowhere";
  process.env.CHATBOT_PREVIEW_SECRETS_PROVIDER = "passphrase";
  const t = setup();
  expect(await run(["up", "5"], t.deps)).toBe(0);
  expect(t.calls.readConfig).toEqual(["staging"]);
  const { config, opts } = t.calls.up[0];
  expect(config).toMatchObject({ "chatbot:telegramBotToken": { value: "staging-token", secret: true } });
  expect([opts.environments, opts.secretsProvider]).toEqual([[], "passphrase"]);
  expect(t.err()).toMatch(/note: ESC environments chatbot\/preview not imported \(this backend has none/);
});
