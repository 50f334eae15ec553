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
  /** The lender's outputs (sharedInfraStack), e.g. from an already rendered plan; by default rendered here. */
  lenderReferences?: LenderReferences;
}

export interface LenderReferences {
  outputs: Record<string, Record<string, unknown>>;
  secrets: Record<string, string[]>;
}

/** What a borrower reads of its lender, from the lender's plan: its outputs, the secret ones marked. */
export function lenderReferencesFrom(ref: string, plan: Plan): LenderReferences {
  const secrets = Object.keys(plan.outputs).filter((k) => JSON.stringify(plan.outputs[k]).includes("[secret]"));
  return { outputs: { [ref]: plan.outputs }, secrets: { [ref]: secrets } };
}

/** The stack named by a config's sharedInfraStack, and the local stack it renders from. */
export function lenderOf(cfg: LoadedStackConfig): { ref: string; stack: string } | undefined {
  const ref = cfg.config[`${cfg.project}:sharedInfraStack`];
  return ref ? { ref, stack: ref.split("/").pop()! } : undefined;
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

/**
 * The stack named by sharedInfraStack (preview tier) is rendered from its own stack file first:
 * offline, the preview borrows exactly the outputs the lender's plan exports (secret ones stay secret).
 */
export async function sharedInfraReference(cfg: LoadedStackConfig): Promise<LenderReferences> {
  const lender = lenderOf(cfg);
  if (!lender) return { outputs: {}, secrets: {} };
  if (!fs.existsSync(stackFile(lender.stack)))
    throw new Error(`plan: ${cfg.stack} borrows the infrastructure of ${lender.ref}, but Pulumi.${lender.stack}.yaml does not exist`);
  return lenderReferencesFrom(lender.ref, (await renderStack({ stack: lender.stack })).plan);
}

export async function renderStack(opts: RenderPlanOptions): Promise<RenderedStack> {
  const project = PROJECTS[opts.project ?? "app"];
  const config = loadStackConfig(opts.stack, { ...opts, projectDir: opts.projectDir ?? project.dir });
  const lender = opts.stackReferences ? { outputs: {}, secrets: {} } : (opts.lenderReferences ?? (await sharedInfraReference(config)));
  const plan = await render({
    project: config.project,
    stack: opts.stack,
    config: config.config,
    secretKeys: config.secretKeys,
    load: opts.load ?? (() => freshProgram(project.entry)),
    // Given references replace the local ones of the same name; the others stay.
    stackReferences: { ...localStackReferences(config), ...lender.outputs, ...opts.stackReferences },
    stackReferenceSecrets: lender.secrets,
  });
  return { plan, config };
}

export async function renderPlan(opts: RenderPlanOptions): Promise<Plan> {
  return (await renderStack(opts)).plan;
}
