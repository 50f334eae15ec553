/**
 * `release rollback <stack> --via pulumi`: the rollback as a Pulumi update instead of ECS calls.
 * The release history is the stack's own update history (each `pulumi up` records the config it
 * ran with): the target is the image config of an earlier successful update, set in the stack's
 * config (so the stack file agrees at once and the next `pulumi up` keeps it) and deployed with
 * `pulumi up`. Only the image keys change, so only the services' task definitions and the services
 * roll; secrets keep their current versions. Bad input fails in one line before any config is set.
 */
import { LocalWorkspace, Stack, UpdateSummary } from "@pulumi/pulumi/automation";
import { ReleaseError } from "./release";
import { digestOf } from "./history";

export interface PulumiRollbackStep {
  key: string;
  from: string;
  to: string;
}

export interface PulumiRollback {
  /** When the update whose images are restored started (the file backend numbers no updates). */
  fromUpdate: Date;
  steps: PulumiRollbackStep[];
  /** Resource changes of the `pulumi up`, as the engine counted them (absent on a dry run). */
  changes?: Record<string, number>;
}

type ImageConfig = Record<string, string>;

function imagesOf(config: Record<string, { value: string }> | undefined, keys: string[]): ImageConfig {
  return Object.fromEntries(keys.filter((k) => config?.[k]?.value !== undefined).map((k) => [k, config![k].value]));
}

const same = (a: ImageConfig, b: ImageConfig) => Object.keys(b).every((k) => a[k] === b[k]);

/**
 * The release to go back to: `previous` is the newest successful update whose images differ from
 * the current config; a digest must be one some successful update deployed.
 */
export function checkTo(to: string): void {
  if (to !== "previous" && !/^sha256:[0-9a-f]{64}$/.test(to)) throw new ReleaseError(`release: --to must be "previous" or sha256:<64 hex>, not "${to}"`);
}

export function chooseRelease(
  history: UpdateSummary[],
  current: ImageConfig,
  keys: string[],
  to: string,
  stack: string,
): { startTime: Date; images: ImageConfig } {
  checkTo(to);
  const releases = history
    .filter((u) => u.kind === "update" && u.result === "succeeded")
    .sort((a, b) => new Date(b.startTime).getTime() - new Date(a.startTime).getTime())
    .map((u) => ({ startTime: new Date(u.startTime), images: imagesOf(u.config, keys) }))
    .filter((r) => Object.keys(r.images).length > 0);
  const target =
    to === "previous" ? releases.find((r) => !same(current, r.images)) : releases.find((r) => Object.values(r.images).some((image) => digestOf(image) === to));
  if (!target) {
    throw new ReleaseError(
      to === "previous"
        ? `release: stack ${stack} has no earlier successful update with other images to roll back to; nothing deployed`
        : `release: ${to} was not deployed by any successful update of ${stack}; nothing deployed`,
    );
  }
  return target;
}

export async function rollbackViaPulumi(opts: {
  stack: string;
  workDir: string;
  project: string;
  to: string;
  dryRun?: boolean;
  imageKeys: string[];
  onOutput?: (line: string) => void;
}): Promise<PulumiRollback> {
  const keys = opts.imageKeys.map((k) => `${opts.project}:${k}`);
  // Malformed input is refused before the CLI is even asked.
  checkTo(opts.to);
  const stack: Stack = await LocalWorkspace.selectStack({ stackName: opts.stack, workDir: opts.workDir });
  const current = imagesOf(await stack.getAllConfig(), keys);
  const target = chooseRelease(await stack.history(), current, keys, opts.to, opts.stack);
  const steps = Object.entries(target.images)
    .filter(([k, v]) => current[k] !== v)
    .map(([key, to]) => ({ key, from: current[key] ?? "(unset)", to }));
  if (opts.dryRun || steps.length === 0) return { fromUpdate: target.startTime, steps };
  await stack.setAllConfig(Object.fromEntries(steps.map((s) => [s.key, { value: s.to }])));
  const res = await stack.up({ onOutput: opts.onOutput, message: `rollback to the images of the update of ${target.startTime.toISOString()}` });
  return { fromUpdate: target.startTime, steps, changes: res.summary.resourceChanges as Record<string, number> | undefined };
}
