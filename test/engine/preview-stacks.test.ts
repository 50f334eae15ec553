/**
 * Preview stacks through the real engine: the preview template deployed with the policy pack
 * (resources as the plan has them), destroyed to an empty stack, and created again at once; then
 * `npm run preview-stack` driving the same engine through the Automation API.
 */
import { spawn } from "child_process";
import * as path from "path";
import { policyPackArgs } from "../../tools/engine/policy";
import type { EngineWorkspace } from "../../tools/engine/workspace";
import { deployedResources, disagreements, ENGINE_TIMEOUT, openWorkspace, outcome, planResources } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

let ws: EngineWorkspace;
beforeAll(async () => {
  ws = await openWorkspace();
});
afterAll(() => ws?.dispose());

const up = ["up", "--yes", "--skip-preview", "--stack", "preview", ...policyPackArgs("preview")];

describe("the preview template through the Pulumi engine", () => {
  it("deploys with the policy pack and creates exactly the plan's resources", async () => {
    await ws.initStack("preview");
    expect(outcome(await ws.pulumi(up))).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "preview"), await planResources("preview"))).toEqual([]);
  });

  it("destroys to an empty stack: nothing is protected", async () => {
    expect(outcome(await ws.pulumi(["destroy", "--yes", "--skip-preview", "--stack", "preview"]))).toEqual({ status: 0 });
    expect(await deployedResources(ws, "preview")).toEqual([]);
  });

  it("can be created again straight after its destroy", async () => {
    expect(outcome(await ws.pulumi(up))).toEqual({ status: 0 });
    expect((await deployedResources(ws, "preview")).length).toBe((await planResources("preview")).length);
  });
});

/** `npm run preview-stack -- ...` from the workspace's copy of the project, with its engine environment. */
function previewStack(args: string[]): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const cli = path.join(ws.projectDir, "tools", "preview-stack", "cli.ts");
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), cli, ...args], { cwd: ws.projectDir, env: ws.env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ status: code ?? 1, output }));
  });
}

describe("npm run preview-stack through the Automation API", () => {
  beforeAll(async () => {
    // PR stacks take staging's secrets: staging must exist in the backend (it need not be deployed).
    await ws.initStack("staging");
  });

  it("brings a pr-<n> stack up from the template", async () => {
    // The offline providers have no AWS account behind them for the preflight to read.
    const res = await previewStack(["up", "7", "--ttl", "24", "--skip-preflight"]);
    expect(res.status === 0 ? { status: 0 } : res).toEqual({ status: 0 });
    expect(res.output).toContain("preview-stack: pr-7 is up");
    expect((await deployedResources(ws, "pr-7")).length).toBe((await planResources("preview")).length);
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
