import * as path from "path";
import { FINGERPRINTS_OUTPUT, fingerprint } from "../../infra/fingerprints";
import { render } from "./harness";
import { LoadedStackConfig, loadStackConfig, ROOT, StackConfigFiles, stackFile } from "./stackConfig";
import { Plan } from "./types";
import * as fs from "fs";

export interface RenderPlanOptions extends StackConfigFiles {
  stack: string;
  /** Loads the program fresh; defaults to purging this repository's modules from require's cache. */
  load?: () => Record<string, unknown>;
  /** Outputs of referenced stacks; by default computed from their local stack files. */
  stackReferences?: Record<string, Record<string, unknown>>;
}

export interface RenderedStack {
  plan: Plan;
  config: LoadedStackConfig;
}

function freshProgram(): Record<string, unknown> {
  for (const file of Object.keys(require.cache)) {
    if (file.startsWith(ROOT) && !file.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[file];
  }
  return require(path.join(ROOT, "infra"));
}

/**
 * The stack named by compareSecretsWithStack (`org/project/stack`) is read from its local stack
 * file, so offline its fingerprints are those of its placeholders (which differ per stack).
 */
export function localStackReferences(cfg: LoadedStackConfig): Record<string, Record<string, unknown>> {
  const ref = cfg.config[`${cfg.project}:compareSecretsWithStack`];
  if (!ref) return {};
  const other = ref.split("/")[2];
  if (!fs.existsSync(stackFile(other))) throw new Error(`plan: ${cfg.stack} compares secrets with ${ref}, but Pulumi.${other}.yaml does not exist`);
  const otherCfg = loadStackConfig(other);
  const prints = Object.fromEntries(otherCfg.secretKeys.map((k) => [k.slice(otherCfg.project.length + 1), fingerprint(otherCfg.config[k])]));
  return { [ref]: { [FINGERPRINTS_OUTPUT]: prints } };
}

/**
 * The stack named by sharedInfraStack (preview tier) is rendered from its own stack file first:
 * offline, the preview borrows exactly the outputs the lender's plan exports (secret ones stay secret).
 */
export async function sharedInfraReference(cfg: LoadedStackConfig): Promise<{ outputs: Record<string, Record<string, unknown>>; secrets: Record<string, string[]> }> {
  const ref = cfg.config[`${cfg.project}:sharedInfraStack`];
  if (!ref) return { outputs: {}, secrets: {} };
  const lender = ref.split("/").pop()!;
  if (!fs.existsSync(stackFile(lender))) throw new Error(`plan: ${cfg.stack} borrows the infrastructure of ${ref}, but Pulumi.${lender}.yaml does not exist`);
  const { plan } = await renderStack({ stack: lender });
  const secrets = Object.keys(plan.outputs).filter((k) => JSON.stringify(plan.outputs[k]).includes("[secret]"));
  return { outputs: { [ref]: plan.outputs }, secrets: { [ref]: secrets } };
}

export async function renderStack(opts: RenderPlanOptions): Promise<RenderedStack> {
  const config = loadStackConfig(opts.stack, opts);
  const lender = opts.stackReferences ? { outputs: {}, secrets: {} } : await sharedInfraReference(config);
  const plan = await render({
    project: config.project,
    stack: opts.stack,
    config: config.config,
    secretKeys: config.secretKeys,
    load: opts.load ?? freshProgram,
    stackReferences: opts.stackReferences ?? { ...localStackReferences(config), ...lender.outputs },
    stackReferenceSecrets: lender.secrets,
  });
  return { plan, config };
}

export async function renderPlan(opts: RenderPlanOptions): Promise<Plan> {
  return (await renderStack(opts)).plan;
}
