/**
 * Engine tests drive the real Pulumi CLI (tools/engine) against a throwaway file backend. Each
 * test file opens one workspace; stacks created in it can reference each other.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { fromEngineStates, fromPlan, ResourceView } from "../../tools/engine/resources";
import { EngineResult, EngineWorkspace, Project } from "../../tools/engine/workspace";
import { fakeSentryForStacks } from "./fakeSentry/forEngine";
import type { FakeSentry } from "./fakeSentry/server";
import { planFor } from "./plan";

export { disagreements } from "../../tools/engine/resources";

const ROOT = path.resolve(__dirname, "../..");

/** Engine runs take tens of seconds each on two cores. */
export const ENGINE_TIMEOUT = 15 * 60_000;

/**
 * A workspace whose stacks talk to a fake Sentry on loopback (the Sentry API resources are real
 * dynamic providers: an `up` calls Sentry). The fake is stopped when the workspace is disposed.
 */
export async function openWorkspace(): Promise<EngineWorkspace & { sentry: FakeSentry }> {
  const sentry = await fakeSentryForStacks();
  // `tsc --noEmit` type-checks in `npm test`; the CLI's loader need not do it again.
  const ws = await EngineWorkspace.create({ transpileOnly: true, config: { sentryUrl: sentry.url } }).catch(async (e) => {
    await sentry.stop();
    throw e;
  });
  ws.onDispose(() => sentry.stop());
  return Object.assign(ws, { sentry });
}

/** A copy of Pulumi.<stack>.yaml with some config values replaced, for the engine and the plan alike. */
export function stackFileWith(stack: string, overrides: Record<string, unknown>): string {
  const yaml = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  for (const [k, v] of Object.entries(overrides)) yaml.config[`chatbot:${k}`] = v;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-")), `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, YAML.stringify(yaml));
  return file;
}

/** The JSON document of `pulumi preview --json` (the CLI may print lines before it). */
export function previewJson(res: EngineResult): { steps: any[]; diagnostics?: any[]; changeSummary?: Record<string, number> } {
  const start = res.stdout.indexOf("{");
  if (start < 0) throw new Error(`no JSON in the CLI's output:\n${res.stdout}\n${res.stderr}`);
  return JSON.parse(res.stdout.slice(start));
}

export async function deployedResources(ws: EngineWorkspace, stack: string, project: Project = "app"): Promise<ResourceView[]> {
  const res = await ws.must(["stack", "export", "--stack", stack], project);
  return fromEngineStates(JSON.parse(res.stdout).deployment.resources ?? []);
}

export async function planResources(stack: string, configFile?: string, project: Project = "app"): Promise<ResourceView[]> {
  if (project === "bootstrap") {
    jest.resetModules();
    const { renderStack } = require(path.join(ROOT, "tools/plan/render")) as typeof import("../../tools/plan/render");
    return fromPlan((await renderStack({ stack, project, configFile, load: () => require(path.join(ROOT, "bootstrap/index.ts")) })).plan);
  }
  return fromPlan((await planFor(stack, configFile ? { configFile } : {})).plan);
}

/** Steps that change something, as `op urn-name`, sorted. */
export function changes(res: EngineResult): string[] {
  // A read (a StackReference, e.g. the bootstrap stack) changes nothing.
  return previewJson(res)
    .steps.filter((s) => s.op !== "same" && s.op !== "read")
    .map((s) => `${s.op} ${s.urn.split("::").pop()}`)
    .sort();
}

/** `{ status: 0 }` on success; otherwise the status and the end of the CLI's output, for the failure message. */
export function outcome(res: EngineResult): { status: number; output?: string } {
  return res.status === 0 ? { status: 0 } : { status: res.status, output: `${res.stdout}\n${res.stderr}`.slice(-4000) };
}
