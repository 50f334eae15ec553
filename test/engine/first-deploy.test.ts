/**
 * From an empty account (an empty file backend) to staging and prod, exactly as README's
 * "Deploying for real" says: bootstrap up; each app stack initialized with its secrets stored
 * encrypted in its stack file; up staging, then prod, with no image digest configured and no hand
 * edit. A second machine (CI) decrypts with only the stack file and the passphrase. A stack whose
 * bootstrap stack is not deployed fails with one line and creates nothing.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { BACKEND_ORG, EngineWorkspace } from "../../tools/engine/workspace";
import { policyPackArgs } from "../../tools/engine/policy";
import { loadStackConfig } from "../../tools/plan/stackConfig";
import { deployedResources, disagreements, ENGINE_TIMEOUT, openWorkspace, outcome, planResources, stackFileWith } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

const ROOT = path.resolve(__dirname, "../..");
const up = (stack: string) => ["up", "--yes", "--skip-preview", "--stack", stack, ...policyPackArgs(stack)];
const committedProvider = (stack: string) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).secretsprovider;

let ws: EngineWorkspace;
let ci: EngineWorkspace | undefined;
beforeAll(async () => {
  ws = await openWorkspace();
});
afterAll(() => {
  ci?.dispose();
  ws?.dispose();
});

async function output(w: EngineWorkspace, stack: string, name: string, project: "app" | "bootstrap" = "app"): Promise<any> {
  return JSON.parse((await w.must(["stack", "output", name, "--json", "--stack", stack], project)).stdout);
}

describe("a first deploy on an empty account", () => {
  it("bootstraps the account: exactly the plan's resources, and each stack file's secrets provider among its outputs", async () => {
    await ws.ensureBootstrap("main");
    expect(disagreements(await deployedResources(ws, "main", "bootstrap"), await planResources("main", undefined, "bootstrap"))).toEqual([]);
    const appStacks = await output(ws, "main", "appStacks", "bootstrap");
    for (const stack of ["staging", "prod", "preview"]) expect(appStacks[stack].secretsProvider).toBe(committedProvider(stack));
  });

  it("initializes staging with its secrets encrypted in the stack file, then converges with no image digest", async () => {
    await ws.initStack("staging");
    const file = fs.readFileSync(path.join(ws.cwd(), "Pulumi.staging.yaml"), "utf8");
    const written = YAML.parse(file);
    // The passphrase provider's key material is `encryptionsalt`; a KMS provider writes `encryptedkey`.
    expect(written.encryptionsalt).toMatch(/^v1:/);
    const plain = loadStackConfig("staging");
    expect(plain.secretKeys.length).toBeGreaterThan(4);
    for (const key of plain.secretKeys) {
      expect(written.config[key]).toEqual({ secure: expect.any(String) });
      expect(file).not.toContain(plain.config[key]);
    }
    expect(written.config["chatbot:apiImage"]).toBe("");

    expect(outcome(await ws.pulumi(up("staging")))).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "staging"), await planResources("staging"))).toEqual([]);
    const hostedZoneId = await output(ws, "main", "hostedZoneId", "bootstrap");
    expect(await output(ws, "staging", "apiUrl")).toBe("https://staging.chatbot.example.com");
    expect(await output(ws, "staging", "hostedZoneId")).toBe(hostedZoneId);
    expect(await output(ws, "staging", "apiReleased")).toBe(false);
    expect(await output(ws, "staging", "albHttpsListenerArn")).toMatch(/^arn:aws:/);
    const state = JSON.parse((await ws.must(["stack", "export", "--stack", "staging"])).stdout).deployment.resources as any[];
    expect(state.find((r) => r.type === "aws:ecs/service:Service" && r.urn.endsWith("::api-service"))?.inputs.desiredCount).toBe(0);
  });

  it("lets a second machine decrypt with only the stack file and the passphrase, and finds nothing to change", async () => {
    ci = await EngineWorkspace.create({ transpileOnly: true, stateDir: ws.stateDir });
    fs.copyFileSync(path.join(ws.cwd(), "Pulumi.staging.yaml"), path.join(ci.cwd(), "Pulumi.staging.yaml"));
    const value = loadStackConfig("staging").config["chatbot:llmApiKey"];
    expect((await ci.must(["config", "get", "chatbot:llmApiKey", "--stack", "staging"])).stdout.trim()).toBe(value);
    const passphrase = ci.env.PULUMI_CONFIG_PASSPHRASE;
    ci.env.PULUMI_CONFIG_PASSPHRASE = "not-the-passphrase";
    const wrong = await ci.pulumi(["config", "get", "chatbot:llmApiKey", "--stack", "staging"], { quiet: true });
    ci.env.PULUMI_CONFIG_PASSPHRASE = passphrase;
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout + wrong.stderr).not.toContain(value);
    expect(outcome(await ci.pulumi(["preview", "--expect-no-changes", "--stack", "staging"]))).toEqual({ status: 0 });
  });

  it("deploys prod next, from its own stack file, with no image digest", async () => {
    const prodFile = stackFileWith("prod", { compareSecretsWithStack: `${BACKEND_ORG}/chatbot/staging` });
    await ws.initStack("prod", { configFile: prodFile });
    expect(outcome(await ws.pulumi(up("prod")))).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "prod"), await planResources("prod", prodFile))).toEqual([]);
    expect(await output(ws, "prod", "apiUrl")).toBe("https://chatbot.example.com");
  });
});

describe("an app stack without its bootstrap stack", () => {
  it("fails with one line naming the undeployed bootstrap stack and the fix, and creates no AWS resource", async () => {
    await ws.must(["stack", "init", "empty", "--secrets-provider", "passphrase"], "bootstrap");
    const ref = `${BACKEND_ORG}/chatbot-bootstrap/empty`;
    await ws.initStack("orphan", { configFile: stackFileWith("staging", {}), overrides: { bootstrapStack: ref } });
    const res = await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "orphan"]);
    expect(res.status).not.toBe(0);
    const text = res.stdout + res.stderr;
    expect(text).toContain(`bootstrap stack ${ref} has no output "appStacks": deploy it first (\`cd bootstrap && pulumi up --stack <account>\``);
    expect(text).not.toMatch(/^\s+at /m);
    const created = (await deployedResources(ws, "orphan")).filter((r) => r.type.startsWith("aws:"));
    expect(created).toEqual([]);
  });
});
