/**
 * Staging and prod through the real engine, in one backend: staging's first `pulumi up` from
 * empty with the policy pack, no drift after a refresh, an image-only release; then prod, whose
 * secret-sharing guard reads staging through a real StackReference, and whose protected
 * resources refuse a destroy.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { policyPackArgs } from "../../tools/engine/policy";
import type { EngineWorkspace } from "../../tools/engine/workspace";
import { loadStackConfig } from "../../tools/plan/stackConfig";
import { changes, deployedResources, disagreements, ENGINE_TIMEOUT, openWorkspace, outcome, planResources, stackFileWith } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

// The file backend knows one organization, "organization"; Pulumi Cloud's is the team's.
const STAGING_REF = "organization/chatbot/staging";
// A released API (the committed stack files release nothing yet; test/engine/first-deploy.test.ts
// deploys them so): what follows is a release on top of it.
const RELEASED_API = "sha256:" + "d".repeat(64);
const up = (stack: string) => ["up", "--yes", "--skip-preview", "--stack", stack, ...policyPackArgs(stack)];

let ws: EngineWorkspace;
beforeAll(async () => {
  ws = await openWorkspace();
  await ws.initStack("staging", { overrides: { apiImage: RELEASED_API } });
});
afterAll(() => ws?.dispose());

describe("staging through the Pulumi engine", () => {
  it("deploys from an empty backend with the policy pack, and creates exactly the plan's resources", async () => {
    expect(outcome(await ws.pulumi(up("staging")))).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "staging"), await planResources("staging"))).toEqual([]);
  });

  it("finds nothing to change after a refresh", async () => {
    expect(outcome(await ws.pulumi(["preview", "--refresh", "--expect-no-changes", "--stack", "staging"]))).toEqual({ status: 0 });
  });

  it("rolls out a new API image by replacing the API's task definition and updating its service, nothing else", async () => {
    await ws.must(["config", "set", "--stack", "staging", "chatbot:apiImage", "sha256:" + "e".repeat(64)]);
    const res = await ws.pulumi(["preview", "--json", "--stack", "staging"]);
    expect(outcome(res)).toEqual({ status: 0 });
    expect(changes(res)).toEqual(["replace api-task", "update api-service"]);
  });

  it("rolls a rotated secret out to exactly the services that read it", async () => {
    // The task definitions pin each secret's version (issue 17): a new value is a new revision.
    await ws.must(["config", "set", "--stack", "staging", "chatbot:apiImage", RELEASED_API]);
    await ws.must(["config", "set", "--stack", "staging", "--secret", "chatbot:llmApiKey", "rotated-llm-key-0123456789"]);
    const res = await ws.pulumi(["preview", "--json", "--stack", "staging"]);
    expect(outcome(res)).toEqual({ status: 0 });
    // The execution roles' policies name the secret through an ARN that waits for its version
    // (components/storedSecret.ts): a preview cannot know the new version's ARN is the same, so it
    // shows them updated; nothing is replaced but the version and the three task definitions.
    expect(changes(res)).toEqual([
      "replace api-task",
      "replace app-secrets-llm-api-key",
      "replace discord-bot-task",
      "replace telegram-bot-task",
      "update api-execution",
      "update api-service",
      "update discord-bot-execution",
      "update discord-bot-service",
      "update telegram-bot-execution",
      "update telegram-bot-service",
    ]);
  });
});

describe("prod through the Pulumi engine", () => {
  const prodFile = stackFileWith("prod", { compareSecretsWithStack: STAGING_REF });

  it("refuses to deploy while a secret has staging's value, naming the key", async () => {
    const stagingToken = loadStackConfig("staging").config["chatbot:telegramBotToken"];
    const secrets = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secrets-")), "prod.yaml");
    fs.writeFileSync(secrets, YAML.stringify({ telegramBotToken: stagingToken }));
    await ws.initStack("prod", { configFile: prodFile, secretsFile: secrets });
    const res = await ws.pulumi(up("prod"));
    expect(res.status).not.toBe(0);
    expect(res.stdout).toContain("chatbot:telegramBotToken has the same value in prod and organization/chatbot/staging");
    expect(res.stdout).not.toMatch(/chatbot:(discordBotToken|stripeApiKey|llmApiKey) has the same value/);
  });

  it("deploys with its own secrets, creating exactly the plan's resources", async () => {
    await ws.must(["stack", "rm", "--yes", "--force", "--stack", "prod"]);
    await ws.initStack("prod", { configFile: prodFile });
    expect(outcome(await ws.pulumi(up("prod")))).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "prod"), await planResources("prod", prodFile))).toEqual([]);
  });

  it("refuses a destroy and names the protected resources", async () => {
    const res = await ws.pulumi(["destroy", "--yes", "--skip-preview", "--stack", "prod"]);
    expect(res.status).not.toBe(0);
    const protectedNames = (await deployedResources(ws, "prod")).filter((r) => r.protect).map((r) => r.urn);
    expect(protectedNames.length).toBeGreaterThan(10);
    for (const urn of protectedNames) expect(res.stdout + res.stderr).toContain(urn.split("::").pop()!);
    expect((await deployedResources(ws, "prod")).length).toBeGreaterThan(protectedNames.length);
  });
});
