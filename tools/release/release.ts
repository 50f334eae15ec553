/**
 * `release verify` and `release rollback`: what happened to the last `pulumi up` of a stack's
 * services, and a way back to the image digests of the last healthy release without a git revert.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RegisterTaskDefinitionCommandInput,
  Task,
  TaskDefinition,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { digestOf, healthyRevisions, markHealthy, Revision } from "./history";
import { judge, Verdict } from "./judge";

export class ReleaseError extends Error {}

/** What the stack outputs say was released (`ecsClusterName`, `ecsServiceNames`, `ecsTaskDefinitionArns`). */
export interface Released {
  cluster: string;
  /** Short name (`api`) -> ECS service name and the task definition revision Pulumi registered. */
  services: Record<string, { name: string; taskDefinitionArn: string }>;
}

export function releasedFromOutputs(stack: string, outputs: Record<string, any>): Released {
  const names = outputs.ecsServiceNames as Record<string, string> | undefined;
  const tds = outputs.ecsTaskDefinitionArns as Record<string, string> | undefined;
  if (!outputs.ecsClusterName || !names || !tds)
    throw new ReleaseError(`release: stack ${stack} has no ecsClusterName/ecsServiceNames/ecsTaskDefinitionArns outputs; run \`pulumi up\` first`);
  return { cluster: outputs.ecsClusterName, services: Object.fromEntries(Object.entries(names).map(([k, name]) => [k, { name, taskDefinitionArn: tds[k] }])) };
}

async function stoppedTasks(ecs: ECSClient, cluster: string, serviceName: string): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: "STOPPED" }))).taskArns ?? [];
  if (arns.length === 0) return [];
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(0, 100) }))).tasks ?? [];
}

/** Judges every service; when all are healthy, records the release (tags the revisions). */
export async function verify(ecs: ECSClient, released: Released, now = new Date()): Promise<Verdict[]> {
  const entries = Object.entries(released.services);
  const described = (await ecs.send(new DescribeServicesCommand({ cluster: released.cluster, services: entries.map(([, s]) => s.name) }))).services ?? [];
  const verdicts: Verdict[] = [];
  for (const [label, s] of entries) {
    const service = described.find((d) => d.serviceName === s.name);
    verdicts.push(judge(label, service, s.taskDefinitionArn, await stoppedTasks(ecs, released.cluster, s.name)));
  }
  // Only a release in which every service is healthy becomes a rollback target.
  if (verdicts.every((v) => v.ok)) for (const [, s] of entries) await markHealthy(ecs, s.taskDefinitionArn, now);
  return verdicts;
}

export interface RollbackStep {
  service: string;
  from: string;
  to: string;
  /** Revision whose image is restored. */
  healthyRevision: string;
}

const familyOf = (arn: string) => arn.split("/").pop()!.split(":")[0];

/** The current definition with only the image replaced: secrets keep their current (rotated) versions. */
function withImage(current: TaskDefinition, image: string): RegisterTaskDefinitionCommandInput {
  const keep = [
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
  ] as const;
  const input: Record<string, unknown> = {};
  for (const k of keep) if (current[k] !== undefined) input[k] = current[k];
  input.containerDefinitions = (current.containerDefinitions ?? []).map((c, i) => (i === 0 ? { ...c, image } : c));
  return input as unknown as RegisterTaskDefinitionCommandInput;
}

/**
 * Plans a rollback before touching anything: `to` is `previous` (each service's newest healthy
 * image other than the one it runs) or a digest, which must be one a healthy release used.
 * Then registers one revision per service and points the service at it.
 */
export async function rollback(ecs: ECSClient, stack: string, released: Released, to = "previous", opts: { dryRun?: boolean } = {}): Promise<RollbackStep[]> {
  if (to !== "previous" && !/^sha256:[0-9a-f]{64}$/.test(to)) throw new ReleaseError(`release: --to must be "previous" or sha256:<64 hex>, not "${to}"`);
  const entries = Object.entries(released.services);
  const described = (await ecs.send(new DescribeServicesCommand({ cluster: released.cluster, services: entries.map(([, s]) => s.name) }))).services ?? [];
  const plan: { label: string; name: string; current: Revision; target: Revision }[] = [];
  const used = new Set<string>();
  for (const [label, s] of entries) {
    const running = described.find((d) => d.serviceName === s.name)?.taskDefinition;
    if (!running) throw new ReleaseError(`release: service ${s.name} not found in cluster ${released.cluster}`);
    const healthy = await healthyRevisions(ecs, familyOf(running));
    for (const h of healthy) if (digestOf(h.image)) used.add(digestOf(h.image)!);
    const current = healthy.find((h) => h.arn === running) ?? (await describe(ecs, running));
    const target = to === "previous" ? healthy.find((h) => h.image !== current.image) : healthy.find((h) => digestOf(h.image) === to);
    if (to === "previous" && !target) throw new ReleaseError(`release: ${label} (${s.name}) has no earlier healthy release to roll back to`);
    if (target && target.image !== current.image) plan.push({ label, name: s.name, current, target });
  }
  if (to !== "previous" && !used.has(to)) throw new ReleaseError(`release: ${to} was not used by any healthy release of ${stack}; nothing deployed`);
  const steps: RollbackStep[] = [];
  for (const p of plan) {
    steps.push({ service: p.label, from: p.current.image, to: p.target.image, healthyRevision: p.target.arn });
    if (opts.dryRun) continue;
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        ...withImage(p.current.definition, p.target.image),
        tags: [{ key: "chatbot:rollback-to", value: p.target.arn.split("/").pop()! }],
      }),
    );
    await ecs.send(new UpdateServiceCommand({ cluster: released.cluster, service: p.name, taskDefinition: registered.taskDefinition!.taskDefinitionArn }));
  }
  return steps;
}

async function describe(ecs: ECSClient, arn: string): Promise<Revision> {
  const definition = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;
  return { arn, image: definition.containerDefinitions?.[0]?.image ?? "", definition };
}

/** The config key that pins each service's image: a rollback must be followed by it, or the next `pulumi up` undoes it. */
export const IMAGE_CONFIG_KEYS: Record<string, string> = { api: "apiImage", telegramBot: "telegramBotImage", discordBot: "discordBotImage" };
