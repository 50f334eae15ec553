import * as path from "path";
import { FINGERPRINTS_OUTPUT, fingerprint } from "../../infra/fingerprints";
import { offlineBootstrapOutputs } from "./bootstrapOutputs";
import { render } from "./harness";
import { BOOTSTRAP_DIR, LoadedStackConfig, loadStackConfig, ROOT, StackConfigFiles, stackFile } from "./stackConfig";
import { Plan } from "./types";
import * as fs from "fs";

export interface RenderPlanOptions extends StackConfigFiles {
  stack: string;
  /** `app` (default) or `bootstrap`: which of the repository's Pulumi projects to render. */
  project?: keyof typeof PROJECTS;
  /** Loads the program fresh; defaults to purging this repository's modules from require's cache. */
  load?: () => Record<string, unknown>;
  /** Outputs of referenced stacks; by default computed from their local stack files. */
  stackReferences?: Record<string, Record<string, unknown>>;
}

export interface RenderedStack {
  plan: Plan;
  config: LoadedStackConfig;
}

function freshProgram(entry = path.join(ROOT, "infra")): Record<string, unknown> {
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(ROOT) && !file.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[file];
  }
  return require(entry);
}

/** `--project bootstrap`: the bootstrap project's stacks (bootstrap/Pulumi.<stack>.yaml) instead of the app's. */
export const PROJECTS: Record<string, { dir: string; entry: string }> = {
  app: { dir: ROOT, entry: path.join(ROOT, "infra") },
  bootstrap: { dir: BOOTSTRAP_DIR, entry: path.join(BOOTSTRAP_DIR, "index.ts") },
};

/**
 * The stacks an app stack reads, from local files: the one named by compareSecretsWithStack
 * (`org/project/stack`; offline its fingerprints are those of its placeholders, which differ per
 * stack) and the bootstrap stack (tools/plan/bootstrapOutputs.ts). The bootstrap project reads none.
 */
export function localStackReferences(cfg: LoadedStackConfig): Record<string, Record<string, unknown>> {
  const refs: Record<string, Record<string, unknown>> = {};
  const bootstrap = cfg.config[`${cfg.project}:bootstrapStack`];
  if (bootstrap) refs[bootstrap] = offlineBootstrapOutputs(bootstrap);
  const ref = cfg.config[`${cfg.project}:compareSecretsWithStack`];
  if (!ref) return refs;
  const other = ref.split("/")[2];
  if (!fs.existsSync(stackFile(other))) throw new Error(`plan: ${cfg.stack} compares secrets with ${ref}, but Pulumi.${other}.yaml does not exist`);
  const otherCfg = loadStackConfig(other);
  const prints = Object.fromEntries(otherCfg.secretKeys.map((k) => [k.slice(otherCfg.project.length + 1), fingerprint(otherCfg.config[k])]));
  return { ...refs, [ref]: { [FINGERPRINTS_OUTPUT]: prints } };
}

export async function renderStack(opts: RenderPlanOptions): Promise<RenderedStack> {
  const project = PROJECTS[opts.project ?? "app"];
  const config = loadStackConfig(opts.stack, { ...opts, projectDir: opts.projectDir ?? project.dir });
  const plan = await render({
    project: config.project,
    stack: opts.stack,
    config: config.config,
    secretKeys: config.secretKeys,
    load: opts.load ?? (() => freshProgram(project.entry)),
    // Given references replace the local ones of the same name; the others stay.
    stackReferences: { ...localStackReferences(config), ...opts.stackReferences },
  });
  return { plan, config };
}

export async function renderPlan(opts: RenderPlanOptions): Promise<Plan> {
  return (await renderStack(opts)).plan;
}
