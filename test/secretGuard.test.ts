/**
 * The secret-sharing guard, rendered through the real program: prod names staging in
 * compareSecretsWithStack, so prod's render reads staging's fingerprints from a StackReference.
 * (Test-versus-live Stripe keys are covered in config.test.ts.)
 */
import * as path from "path";
import { spawn } from "child_process";
import { planFor } from "./support/plan";
import { FINGERPRINTS_OUTPUT, fingerprint } from "../infra/fingerprints";
import { sharedSecrets } from "../infra/secretGuard";
import { loadStackConfig } from "../tools/plan/stackConfig";

const prodConfig = loadStackConfig("prod");
const compared = prodConfig.config["chatbot:compareSecretsWithStack"];
const prodSecret = (key: string) => prodConfig.config[`chatbot:${key}`];
const secretNames = prodConfig.secretKeys.map((k) => k.replace(/^chatbot:/, ""));

const ROOT = path.resolve(__dirname, "..");

interface ChildRender {
  status: "rendered" | "failed";
  message: string;
}

/**
 * Renders prod once per case, with the compared stack's outputs mocked, in ONE child process
 * (see the comment in the tests below for why a child; one process keeps module loading to once).
 */
function renderProdInChild(cases: Record<string, unknown>[]): Promise<ChildRender[]> {
  const script = `
    const { renderStack } = require("./tools/plan/render");
    (async () => {
      const results = [];
      for (const outputs of JSON.parse(process.env.REF_CASES)) {
        try {
          const { plan } = await renderStack({ stack: "prod", stackReferences: { [${JSON.stringify(compared)}]: outputs } });
          results.push({ status: "rendered", message: "${FINGERPRINTS_OUTPUT}=" + plan.outputs.${FINGERPRINTS_OUTPUT} });
        } catch (e) {
          results.push({ status: "failed", message: e.message });
        }
      }
      console.log(JSON.stringify(results));
      process.exit(0);
    })();
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), "-e", script], { cwd: ROOT, env: { ...process.env, REF_CASES: JSON.stringify(cases) } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (status !== 0 || !last.startsWith("[")) reject(new Error(`child exited ${status}: ${stderr}`));
      else resolve(JSON.parse(last));
    });
  });
}

/** Fingerprints a compared stack would export: all different from prod's, except `same`. */
function otherStackPrints(same: string[]): Record<string, string> {
  return Object.fromEntries(secretNames.map((k) => [k, fingerprint(same.includes(k) ? prodSecret(k) : `other-${prodSecret(k)}`)]));
}

describe("secret-sharing guard", () => {
  it("is configured in prod against staging (the case these tests exercise)", () => {
    expect(compared).toBe("chatbot/chatbot/staging");
    expect(secretNames).toEqual(expect.arrayContaining(["stripeApiKey", "telegramBotToken", "sentryAuthToken"]));
  });

  // A failing check rejects inside an apply: outside jest that fails the render (as it fails a
  // real `pulumi up`), but jest's sandbox intercepts the rejection itself, so these renders run
  // in a child process, like the plan CLI (see harness.test.ts).
  let oneShared: ChildRender, twoShared: ChildRender, noPrints: ChildRender, noneShared: ChildRender;
  beforeAll(async () => {
    [oneShared, twoShared, noPrints, noneShared] = await renderProdInChild([
      { [FINGERPRINTS_OUTPUT]: otherStackPrints(["stripeApiKey"]) },
      { [FINGERPRINTS_OUTPUT]: otherStackPrints(["llmApiKey", "telegramBotToken"]) },
      {},
      { [FINGERPRINTS_OUTPUT]: otherStackPrints([]) },
    ]);
  });

  it("fails prod's render naming the one shared secret, and no other", () => {
    expect(oneShared.status).toBe("failed");
    expect(oneShared.message).toContain(`secret sharing: chatbot:stripeApiKey has the same value in prod and ${compared}`);
    expect(oneShared.message).not.toMatch(/telegramBotToken|llmApiKey|sentryAuthToken|appSecretKey|discordBotToken/);
  });

  it("names every shared secret in one message", () => {
    expect(twoShared.status).toBe("failed");
    expect(twoShared.message).toContain(
      `secret sharing: chatbot:llmApiKey has the same value in prod and ${compared}; chatbot:telegramBotToken has the same value in prod and ${compared}`,
    );
  });

  it("fails, saying to deploy the other stack first, when that stack exports no fingerprints", () => {
    expect(noPrints.status).toBe("failed");
    expect(noPrints.message).toMatch(new RegExp(`${compared} exports no "${FINGERPRINTS_OUTPUT}" output.*Deploy ${compared} first`));
  });

  it("renders in the same child process when nothing is shared (the failures above are the guard's)", () => {
    expect(noneShared).toEqual({ status: "rendered", message: `${FINGERPRINTS_OUTPUT}=[secret]` });
  });

  describe("when every secret differs", () => {
    let plan: Awaited<ReturnType<typeof planFor>>["plan"];
    beforeAll(async () => {
      plan = (await planFor("prod", { stackReferences: { [compared]: { [FINGERPRINTS_OUTPUT]: otherStackPrints([]) } } })).plan;
    });

    it("renders, exporting the fingerprints as a secret", () => {
      expect(plan.outputs[FINGERPRINTS_OUTPUT]).toBe("[secret]");
    });
  });

  it("renders the offline prod plan, whose staging placeholders differ from prod's", async () => {
    const { plan } = await planFor("prod");
    expect(plan.outputs[FINGERPRINTS_OUTPUT]).toBe("[secret]");
  });

  it("exports fingerprints from staging too, which compares with nothing", async () => {
    const { plan, config } = await planFor("staging");
    expect(config.config["chatbot:compareSecretsWithStack"]).toBe("");
    expect(plan.outputs[FINGERPRINTS_OUTPUT]).toBe("[secret]");
  });
});

describe("fingerprints", () => {
  it("are sha256 of each value, keyed by secret name, and the output is secret", async () => {
    jest.resetModules();
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    const { secretFingerprints: prints } = require("../infra/secretGuard") as typeof import("../infra/secretGuard");
    const out = prints({ b: pulumi.secret("two"), a: pulumi.secret("one") });
    expect(await (out as any).isSecret).toBe(true);
    expect(await (out as any).promise()).toEqual({ a: fingerprint("one"), b: fingerprint("two") });
  });

  it("compare only keys both stacks hold", () => {
    expect(sharedSecrets({ a: "1", b: "2", c: "3" }, { a: "1", b: "x", d: "3" })).toEqual(["a"]);
  });
});
