/**
 * Preview stacks of the preview tier through the real engine, in one backend with staging (issue
 * 20): refused with one line and nothing created while staging is not deployed; then, against a
 * deployed staging, created with the policy pack (resources as the plan has them), destroyed to
 * an empty stack and created again at once; then `npm run preview-stack` driving the same engine
 * through the Automation API: up (with its PR comment), sweep, destroy.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { policyPackArgs } from "../../tools/engine/policy";
import type { EngineWorkspace } from "../../tools/engine/workspace";
import { deployedResources, disagreements, ENGINE_TIMEOUT, openWorkspace, outcome, planResources } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

let ws: EngineWorkspace;
beforeAll(async () => {
  ws = await openWorkspace();
  await ws.initStack("staging");
  await ws.initStack("preview");
});
afterAll(() => ws?.dispose());

const up = (stack: string) => ["up", "--yes", "--skip-preview", "--stack", stack, ...policyPackArgs(stack)];
const awsResources = async (stack: string) => (await deployedResources(ws, stack)).filter((r) => r.type.startsWith("aws:"));

describe("a preview stack on staging's infrastructure, through the Pulumi engine", () => {
  it("is refused while staging is not deployed: one line naming what is missing, nothing created in AWS", async () => {
    const res = await ws.pulumi(up("preview"));
    expect(res.status).not.toBe(0);
    const said = `${res.stdout}\n${res.stderr}`.split("\n").filter((l) => l.includes("preview tier: stack staging exports no"));
    expect(said.length).toBeGreaterThan(0);
    // The engine shows a program's error in its progress line and again in its summary; the message
    // itself is one line, as written (not wrapped once per input that waited for the check).
    for (const line of said) {
      expect(line).toMatch(
        /(^|\s)(error: )?preview tier: stack staging exports no vpcId, privateSubnetIds, .*, so preview cannot borrow its infrastructure: deploy staging first \(pulumi up --stack staging\), or set sharedInfraStack to "" to build everything$/,
      );
      expect(line).not.toMatch(/error serializing/);
    }
    expect(await awsResources("preview")).toEqual([]);
  });

  it("deploys staging, which exports what previews borrow", async () => {
    expect(outcome(await ws.pulumi(up("staging")))).toEqual({ status: 0 });
    const outputs = JSON.parse((await ws.must(["stack", "output", "--json", "--stack", "staging"])).stdout);
    expect(outputs.albHttpsListenerArn).toMatch(/^arn:aws:/);
  });

  it("creates the preview with the policy pack, with exactly the plan's resources", async () => {
    expect(outcome(await ws.pulumi(up("preview")))).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "preview"), await planResources("preview"))).toEqual([]);
  });

  it("updates in place with nothing to change, then destroys to an empty stack: nothing is protected", async () => {
    expect(outcome(await ws.pulumi(["preview", "--expect-no-changes", "--stack", "preview"]))).toEqual({ status: 0 });
    expect(outcome(await ws.pulumi(["destroy", "--yes", "--skip-preview", "--stack", "preview"]))).toEqual({ status: 0 });
    expect(await deployedResources(ws, "preview")).toEqual([]);
    // Staging is untouched by the preview's life: nothing to change there.
    expect(outcome(await ws.pulumi(["preview", "--expect-no-changes", "--stack", "staging"]))).toEqual({ status: 0 });
  });

  it("can be created again straight after its destroy", async () => {
    expect(outcome(await ws.pulumi(up("preview")))).toEqual({ status: 0 });
    expect((await deployedResources(ws, "preview")).length).toBe((await planResources("preview")).length);
  });
});

/** `npm run preview-stack -- ...` from the workspace's copy of the project, with its engine environment. */
function previewStack(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const cli = path.join(ws.projectDir, "tools", "preview-stack", "cli.ts");
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), cli, ...args], { cwd: ws.projectDir, env: { ...ws.env, ...env } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ status: code ?? 1, output }));
  });
}

describe("npm run preview-stack through the Automation API", () => {
  it("brings a pr-<n> stack up from the template on staging's infrastructure, and writes the PR comment", async () => {
    // The offline providers have no AWS account behind them for the preflight to read.
    const githubOutput = path.join(ws.dir, "github-output");
    const res = await previewStack(["up", "7", "--ttl", "24", "--skip-preflight"], { GITHUB_OUTPUT: githubOutput });
    expect(res.status === 0 ? { status: 0 } : res).toEqual({ status: 0 });
    expect(res.output).toContain("preview-stack: pr-7 is up at https://pr-7.staging.chatbot.example.com");
    expect((await deployedResources(ws, "pr-7")).length).toBe((await planResources("pr-7")).length);
    const file = /comment-file=(.*)/.exec(fs.readFileSync(githubOutput, "utf8"))![1];
    const comment = fs.readFileSync(file, "utf8");
    expect(comment).toContain("- **URL:** https://pr-7.staging.chatbot.example.com\n");
    expect(comment).toMatch(/- \*\*Estimated cost:\*\* \$0\.\d\d\/day .*, within the previews' \$2\/day\./);
    expect(comment).toMatch(/- \*\*Time-to-live:\*\* 24 h after the last push/);
  });

  it("keeps a stack whose time-to-live has not passed when sweeping", async () => {
    const res = await previewStack(["sweep"]);
    expect(res.status).toBe(0);
    expect(res.output).toMatch(/pr-7: keeping/);
  });

  it("destroys and removes the stack", async () => {
    const res = await previewStack(["destroy", "7"]);
    expect(res.status === 0 ? { status: 0 } : res).toEqual({ status: 0 });
    expect(res.output).toContain("preview-stack: pr-7 destroyed and removed");
    const stacks = JSON.parse((await ws.must(["stack", "ls", "--json"])).stdout) as { name: string }[];
    expect(stacks.map((s) => s.name)).not.toContain("pr-7");
  });
});
