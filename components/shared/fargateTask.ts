import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSecrets, definedSecrets, secretEntries } from "./containerSecret";
import { accountIdentity, ecsTaskTrustPolicy, executionPolicyDocument } from "./ecsTaskRoles";
import { ImageRef } from "./imageRef";
import { policyDocument, PolicyStatement } from "./policyStatement";

/** Container definition fields the builder does not own (ports, command, mounts, ...), as ECS names them. */
export type ContainerFields = Record<string, unknown>;

export interface FargateContainer {
  /** Container name; also its log group `/<namePrefix>/ecs/<name>`. */
  name: string;
  image: ImageRef;
  /**
   * Fields written before `environment`, and after `secrets`, in the order given: the container
   * definition is a JSON string, so a different order would be a new task definition revision.
   * One of them must set `readonlyRootFilesystem: true`.
   */
  leading?: ContainerFields;
  trailing?: ContainerFields;
  /** Plain settings only, in the order given: a secret here would be readable by anyone who can describe the task. */
  environment: Record<string, pulumi.Input<string>>;
  /** Env var name -> secret, read by ECS when the task starts; the execution role may read exactly these. */
  secrets: ContainerSecrets;
  /** awslogs stream prefix: a task's stream is `<prefix>/<container>/<task id>`. */
  logStreamPrefix: string;
}

export interface FargateTaskArgs {
  /** `<project>-<stack>`: the log group is `/<namePrefix>/ecs/<container name>`. */
  namePrefix: string;
  /** Task definition family; the roles are `<family>-execution` and `<family>-task`. */
  family: string;
  /** AWS region: the awslogs driver's and the ARNs'. */
  region: string;
  /** Fargate CPU units and memory (MiB), a valid Fargate combination. */
  cpu: number;
  memory: number;
  /** CPU architecture the image is built for. Default X86_64, the platform the images component builds. */
  cpuArchitecture?: "X86_64" | "ARM64";
  /** Fargate ephemeral storage (GiB, 21-200); omitted, Fargate's 20 GiB default. */
  ephemeralStorageGb?: number;
  /** Days the container's log group keeps logs. */
  logRetentionDays: number;
  container: FargateContainer;
  /** Task volumes (EFS, task storage) the container's `mountPoints` refer to. */
  volumes: aws.types.input.ecs.TaskDefinitionVolume[];
  executionRoleDescription?: string;
  /** The task role; omitted, the task gets none. Its policy exists only when `statements` is given. */
  taskRole?: { description?: string; statements?: pulumi.Input<pulumi.Input<PolicyStatement>[]> };
  /** Keep replaced revisions registered, so a rollback (circuit breaker or by hand) has them. */
  keepReplacedRevisions?: boolean;
}

export interface FargateTask {
  taskDefinition: aws.ecs.TaskDefinition;
  logGroup: aws.cloudwatch.LogGroup;
  executionRole: aws.iam.Role;
  executionPolicy: aws.iam.RolePolicy;
  taskRole?: aws.iam.Role;
  taskPolicy?: aws.iam.RolePolicy;
}

/**
 * The one Fargate task definition builder (services, jobs, Chroma): the log group, an execution
 * role that may only pull the image, write this log group and read exactly the container's
 * secrets, an optional task role with only the caller's statements, and the task definition:
 * read-only root filesystem, secrets only through ECS `secrets`. Children are named
 * `<name>-logs`, `<name>-execution`, `<name>-task` and parented to `parent`.
 */
export function fargateTask(name: string, args: FargateTaskArgs, parent: pulumi.Resource): FargateTask {
  const child = { parent };
  const c = args.container;
  const fields = { ...c.leading, ...c.trailing };
  if (fields.readonlyRootFilesystem !== true) {
    throw new Error(`fargateTask ${name}: container ${c.name} must set readonlyRootFilesystem: true (give writable paths as volumes instead)`);
  }
  if ("environment" in fields || "secrets" in fields || "logConfiguration" in fields) {
    throw new Error(`fargateTask ${name}: environment, secrets and logConfiguration are the builder's; pass them as environment/secrets`);
  }
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/${args.namePrefix}/ecs/${c.name}`, retentionInDays: args.logRetentionDays }, child);
  // The ECS agent assumes the execution role without a task ARN to match: only a task role can require aws:SourceArn.
  const identity = accountIdentity(parent);
  const executionTrust = ecsTaskTrustPolicy(args.region, identity, "execution");
  const secrets = definedSecrets(c.secrets);

  const executionRole = new aws.iam.Role(
    `${name}-execution`,
    { name: `${args.family}-execution`, description: args.executionRoleDescription, assumeRolePolicy: executionTrust },
    child,
  );
  const executionPolicy = new aws.iam.RolePolicy(
    `${name}-execution`,
    {
      role: executionRole.id,
      policy: executionPolicyDocument({
        region: args.region,
        logGroupArn: logGroup.arn,
        imageRepositoryArn: c.image.repositoryArn,
        secretArns: secrets.map(([, s]) => s.secretArn),
        kmsKeyArns: secrets.map(([, s]) => s.kmsKeyArn),
      }),
    },
    child,
  );

  let taskRole: aws.iam.Role | undefined;
  let taskPolicy: aws.iam.RolePolicy | undefined;
  if (args.taskRole) {
    taskRole = new aws.iam.Role(
      `${name}-task`,
      { name: `${args.family}-task`, description: args.taskRole.description, assumeRolePolicy: ecsTaskTrustPolicy(args.region, identity, "task") },
      child,
    );
    if (args.taskRole.statements !== undefined) {
      taskPolicy = new aws.iam.RolePolicy(`${name}-task`, { role: taskRole.id, policy: policyDocument(args.taskRole.statements) }, child);
    }
  }

  const environment = Object.entries(c.environment);
  const containerDefinitions = pulumi
    .all([c.image.uri, pulumi.all(environment.map(([, v]) => v)), secretEntries(secrets), logGroup.name])
    .apply(([image, values, secretList, group]) =>
      JSON.stringify([
        {
          name: c.name,
          image,
          essential: true,
          ...c.leading,
          environment: environment.map(([k], i) => ({ name: k, value: values[i] })),
          secrets: secretList,
          ...c.trailing,
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": group, "awslogs-region": args.region, "awslogs-stream-prefix": c.logStreamPrefix },
          },
        },
      ]),
    );

  const taskDefinition = new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      family: args.family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(args.cpu),
      memory: String(args.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? "X86_64" },
      ...(args.ephemeralStorageGb ? { ephemeralStorage: { sizeInGib: args.ephemeralStorageGb } } : {}),
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole?.arn,
      containerDefinitions,
      volumes: args.volumes,
      ...(args.keepReplacedRevisions ? { skipDestroy: true } : {}),
    },
    child,
  );
  return { taskDefinition, logGroup, executionRole, executionPolicy, taskRole, taskPolicy };
}

/** Environment entries sorted by name (code point order), for callers that list them so. */
export function sortedEnvironment(env: Record<string, pulumi.Input<string>>): Record<string, pulumi.Input<string>> {
  return Object.fromEntries(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
