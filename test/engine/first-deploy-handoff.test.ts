/**
 * An account deployed before the bootstrap stack existed: the app stack owns the app images'
 * repositories (commit 05ddaec's program). The hand-off of README "Handing over the app image
 * repositories" (state rename + state move, then bootstrap up) makes bootstrap own them and the app
 * stack stop owning them, and no step of either stack deletes or replaces a repository.
 */
import { execSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { BACKEND_ORG, EngineWorkspace } from "../../tools/engine/workspace";
import { ENGINE_TIMEOUT, outcome, previewJson } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

const ROOT = path.resolve(__dirname, "../..");
/** The last commit whose app stack created the app image repositories itself. */
const BEFORE_BOOTSTRAP = "05ddaec";
const REPO = "aws:ecr/repository:Repository";
const SUFFIXES = ["api", "telegram-bot", "discord-bot"];

let old: EngineWorkspace;
let ws: EngineWorkspace;
let oldDir: string;
beforeAll(async () => {
  oldDir = fs.mkdtempSync(path.join(os.tmpdir(), "before-bootstrap-"));
  execSync(`git archive ${BEFORE_BOOTSTRAP} | tar -x -C "${oldDir}"`, { cwd: ROOT });
  old = await EngineWorkspace.create({ transpileOnly: true, source: oldDir });
  ws = await EngineWorkspace.create({ transpileOnly: true, stateDir: old.stateDir });
});
afterAll(() => {
  ws?.dispose();
  old?.dispose();
  if (oldDir) fs.rmSync(oldDir, { recursive: true, force: true });
});

const exported = async (w: EngineWorkspace, stack: string, project: "app" | "bootstrap" = "app") =>
  JSON.parse((await w.must(["stack", "export", "--stack", stack], project)).stdout).deployment.resources as any[];

it("hands the app image repositories from the app stack to bootstrap without deleting or replacing one", async () => {
  // Unprotected: since that commit the backup buckets' names carry the account and region, a
  // replacement that protection refuses (README, "Names that must not collide"); this test is about the repositories.
  await old.initStack("staging", { configFile: path.join(oldDir, "Pulumi.staging.yaml"), overrides: { protectStatefulResources: false } });
  expect(outcome(await old.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging"]))).toEqual({ status: 0 });
  const before = (await exported(old, "staging"))
    .filter((r) => r.type === REPO)
    .map((r) => r.inputs.name)
    .sort();
  expect(before).toEqual(expect.arrayContaining(SUFFIXES.map((s) => `chatbot-staging-${s}`)));

  // README "Handing over the app image repositories", step for step.
  await ws.initStack("main", { project: "bootstrap" });
  const moved: string[] = [];
  for (const r of await exported(old, "staging")) {
    const suffix = r.urn
      .split("::")
      .pop()
      .replace(/^images-/, "");
    if (!SUFFIXES.includes(suffix) || !/ecr\/(repository|lifecyclePolicy)/.test(r.type)) continue;
    await old.must(["state", "rename", r.urn, `staging-${suffix}`, "--stack", "staging", "--yes"]);
    moved.push(r.urn.replace(/::images-[\w-]+$/, `::staging-${suffix}`));
  }
  expect(moved).toHaveLength(6);
  await old.must(["state", "move", "--source", `${BACKEND_ORG}/chatbot/staging`, "--dest", `${BACKEND_ORG}/chatbot-bootstrap/main`, "--yes", ...moved]);

  const bootstrapPreview = await ws.pulumi(["preview", "--json", "--stack", "main"], { project: "bootstrap" });
  expect(outcome(bootstrapPreview)).toEqual({ status: 0 });
  const steps = previewJson(bootstrapPreview).steps;
  const adopted = steps.filter((s) => /::staging-(api|telegram-bot|discord-bot)$/.test(s.urn) && /ecr\/(repository|lifecyclePolicy)/.test(s.urn));
  expect(adopted).toHaveLength(6);
  for (const s of adopted) expect({ urn: s.urn, op: s.op }).toEqual({ urn: s.urn, op: expect.stringMatching(/^(same|update)$/) });
  expect(steps.filter((s) => s.urn.includes("ecr/repository:Repository") && /delete|replace/.test(s.op))).toEqual([]);
  expect(outcome(await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "main"], { project: "bootstrap" }))).toEqual({ status: 0 });
  const owned = (await exported(ws, "main", "bootstrap")).filter((r) => r.type === REPO).map((r) => r.inputs.name);
  expect(owned).toEqual(expect.arrayContaining(before.filter((n) => SUFFIXES.some((s) => n.endsWith(`-${s}`)))));

  // The app stack on the new program: the committed config and its own encrypted secrets.
  const current = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")).config;
  const file = YAML.parse(fs.readFileSync(path.join(old.cwd(), "Pulumi.staging.yaml"), "utf8"));
  const secrets = Object.fromEntries(Object.entries(file.config).filter(([, v]) => v && typeof v === "object"));
  fs.writeFileSync(
    path.join(ws.cwd(), "Pulumi.staging.yaml"),
    YAML.stringify({ ...file, config: { ...current, "chatbot:bootstrapStack": `${BACKEND_ORG}/chatbot-bootstrap/main`, ...secrets } }),
  );
  const appPreview = await ws.pulumi(["preview", "--json", "--stack", "staging"]);
  expect(outcome(appPreview)).toEqual({ status: 0 });
  const appSteps = previewJson(appPreview).steps;
  // The job images' repositories stay in the app stack (their settings may be updated); none is created, replaced or deleted.
  expect(appSteps.filter((s) => s.urn.includes("aws:ecr/repository:Repository") && /create|replace|delete/.test(s.op))).toEqual([]);
  expect(appSteps.filter((s) => s.op === "delete").map((s) => s.urn)).not.toEqual(expect.arrayContaining([expect.stringMatching(/ecr/)]));
  // The preview did run the new program: it adds the API's alias record.
  expect(appSteps.find((s) => s.urn.endsWith("::api-alias"))?.op).toBe("create");
});
