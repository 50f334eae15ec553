import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecsTaskTrustPolicy, executionPolicyDocument } from "./ecsTaskRoles";

/** A Secrets Manager secret handed to the container as an ECS `secrets` entry. */
export interface JobSecret {
  /** ARN of the secret (not secret itself: the value never passes through Pulumi here). */
  secretArn: pulumi.Input<string>;
  /** Key inside the secret's JSON; omitted, the container gets the whole secret string. */
  jsonKey?: string;
}

/** An EFS access point mounted into the container. */
export interface JobEfsVolume {
  fileSystemId: pulumi.Input<string>;
  accessPointId: pulumi.Input<string>;
  /** Where the container sees it. */
  containerPath: string;
  /** Read-only mounts get only `elasticfilesystem:ClientMount`, writable ones `ClientWrite` too. */
  readOnly: boolean;
}

/** An IAM policy statement of the task role (Resource scoped to ARNs: the policy pack checks). */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface JobTaskArgs {
  /** `<project>-<stack>`. */
  namePrefix: string;
  /** The job's name: task definition family `<namePrefix>-<job>`, container `<job>`, log group `/<namePrefix>/ecs/<job>`. */
  job: string;
  /** Image reference, pinned by digest (from the images component or config). */
  image: pulumi.Input<string>;
  /** ECR repository the execution role may pull from; unset for an image outside ECR. */
  imageRepositoryArn?: pulumi.Input<string>;
  /** AWS region: the awslogs driver's and the ARNs'. */
  region: string;
  /** Fargate task CPU units. */
  cpu: number;
  /** Fargate task memory (MiB), valid for `cpu`. */
  memory: number;
  /** Fargate ephemeral storage (GiB, 21-200); omitted, Fargate's 20 GiB default. */
  ephemeralStorageGb?: number;
  /** Container command (arguments to the image's entrypoint); omitted, the image's CMD. */
  command?: string[];
  /** Plain environment: names, hosts, ARNs. Never a secret value: those go in `secrets`. */
  environment: Record<string, pulumi.Input<string>>;
  /** Environment variables filled by ECS from Secrets Manager when the task starts. */
  secrets: Record<string, JobSecret>;
  /** Customer-managed KMS keys of those secrets: the execution role may Decrypt with them. */
  secretKmsKeyArns?: pulumi.Input<string>[];
  /** The task role's statements; omitted (and no EFS volume), the task gets no role at all. */
  taskPolicyStatements?: pulumi.Input<PolicyStatement[]>;
  /** EFS volume to mount, with transit encryption and IAM authorization. */
  efsVolume?: JobEfsVolume;
  /** A writable, task-local directory for a job that runs with a read-only root filesystem. */
  scratchPath?: string;
  /** Days the job's log group keeps its logs. */
  logRetentionDays: number;
  /** CPU architecture the image is built for. Default X86_64, the platform the images component builds. */
  cpuArchitecture?: "X86_64" | "ARM64";
}

/** `arn:...:secret:name-AbCdEf[:jsonKey::]`: the form ECS `secrets` valueFrom expects. */
export function secretValueFrom(s: { secretArn: string; jsonKey?: string }): string {
  return s.jsonKey ? `${s.secretArn}:${s.jsonKey}::` : s.secretArn;
}

/**
 * A one-off or scheduled Fargate task: its task definition, log group, execution role (pull
 * the image, write the log group, read exactly its own secrets) and, when it calls AWS, a task
 * role with only the statements the caller gives. Shared by the backup job and the database
 * bootstrap; long-running services have their own component.
 */
export class JobTask extends pulumi.ComponentResource {
  readonly family: string;
  readonly containerName: string;
  /** ARN with revision: changes whenever the image or the configuration changes. */
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskRoleArn?: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The awslogs stream prefix: a task's stream is `<prefix>/<container>/<task id>`. */
  readonly logStreamPrefix: string;

  constructor(name: string, args: JobTaskArgs, opts?: pulumi.ComponentResourceOptions) {
    // Shared by the data and backup parts; stacks deployed before the layout move knew it as `chatbot:jobs:JobTask`.
    super("chatbot:shared:JobTask", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "chatbot:jobs:JobTask" }] });
    const child = { parent: this };
    this.family = `${args.namePrefix}-${args.job}`;
    this.containerName = args.job;
    this.logStreamPrefix = "job";
    const partition = aws.getPartitionOutput({}, child).partition;
    const account = aws.getCallerIdentityOutput({}, child).accountId;

    const executionTrust = ecsTaskTrustPolicy(args.region, this, "execution");
    const taskTrust = ecsTaskTrustPolicy(args.region, this, "task");

    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
      name: `/${args.namePrefix}/ecs/${args.job}`, retentionInDays: args.logRetentionDays,
    }, child);

    const secretEntries = Object.entries(args.secrets).sort(([a], [b]) => a.localeCompare(b));
    const secretArns = secretEntries.map(([, s]) => s.secretArn);

    const execRole = new aws.iam.Role(`${name}-execution`, {
      name: `${this.family}-execution`,
      description: `ECS agent of ${this.family}: pulls the image, writes its logs, reads its secrets`,
      assumeRolePolicy: executionTrust,
    }, child);
    new aws.iam.RolePolicy(`${name}-execution`, {
      role: execRole.id,
      policy: executionPolicyDocument({
        region: args.region, logGroupArn: logGroup.arn, imageRepositoryArn: args.imageRepositoryArn,
        secretArns, kmsKeyArns: args.secretKmsKeyArns ?? [],
      }),
    }, child);

    const efs = args.efsVolume;
    let taskRole: aws.iam.Role | undefined;
    if (args.taskPolicyStatements !== undefined || efs) {
      taskRole = new aws.iam.Role(`${name}-task`, {
        name: `${this.family}-task`,
        description: `What the ${this.family} container itself may do in AWS`,
        assumeRolePolicy: taskTrust,
      }, child);
      const efsStatements = efs
        ? pulumi.all([efs.fileSystemId, efs.accessPointId, account, partition]).apply(([fsId, apId, acct, part]): PolicyStatement[] => [{
          Sid: "EfsMount", Effect: "Allow",
          Action: efs.readOnly ? "elasticfilesystem:ClientMount" : ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          Resource: `arn:${part}:elasticfilesystem:${args.region}:${acct}:file-system/${fsId}`,
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": `arn:${part}:elasticfilesystem:${args.region}:${acct}:access-point/${apId}` } },
        }])
        : pulumi.output([] as PolicyStatement[]);
      new aws.iam.RolePolicy(`${name}-task`, {
        role: taskRole.id,
        policy: pulumi.all([pulumi.output(args.taskPolicyStatements ?? []), efsStatements])
          .apply(([own, mount]) => JSON.stringify({ Version: "2012-10-17", Statement: [...own, ...mount] })),
      }, child);
    }

    const volumes: aws.types.input.ecs.TaskDefinitionVolume[] = [];
    const mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[] = [];
    if (efs) {
      volumes.push({
        name: "efs",
        efsVolumeConfiguration: {
          fileSystemId: efs.fileSystemId,
          transitEncryption: "ENABLED",
          authorizationConfig: { accessPointId: efs.accessPointId, iam: "ENABLED" },
        },
      });
      mountPoints.push({ sourceVolume: "efs", containerPath: efs.containerPath, readOnly: efs.readOnly });
    }
    if (args.scratchPath) {
      // No host path on Fargate: a bind mount on the task's own ephemeral storage, gone with the task.
      volumes.push({ name: "scratch" });
      mountPoints.push({ sourceVolume: "scratch", containerPath: args.scratchPath, readOnly: false });
    }

    const envEntries = Object.entries(args.environment).sort(([a], [b]) => a.localeCompare(b));
    const containerDefinitions = pulumi
      .all([args.image, logGroup.name, pulumi.all(envEntries.map(([, v]) => v)), pulumi.all(secretArns)])
      .apply(([image, logGroupName, envValues, arns]) => JSON.stringify([{
        name: this.containerName,
        image,
        essential: true,
        ...(args.command ? { command: args.command } : {}),
        environment: envEntries.map(([k], i) => ({ name: k, value: envValues[i] })),
        secrets: secretEntries.map(([k, s], i) => ({ name: k, valueFrom: secretValueFrom({ secretArn: arns[i], jsonKey: s.jsonKey }) })),
        readonlyRootFilesystem: true,
        privileged: false,
        mountPoints,
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": logGroupName, "awslogs-region": args.region, "awslogs-stream-prefix": this.logStreamPrefix },
        },
      }]));

    const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
      family: this.family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(args.cpu),
      memory: String(args.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? "X86_64" },
      ...(args.ephemeralStorageGb ? { ephemeralStorage: { sizeInGib: args.ephemeralStorageGb } } : {}),
      executionRoleArn: execRole.arn,
      taskRoleArn: taskRole?.arn,
      containerDefinitions,
      volumes,
    }, child);

    this.taskDefinitionArn = taskDefinition.arn;
    this.taskRoleArn = taskRole?.arn;
    this.executionRoleArn = execRole.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn, taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn, logGroupName: this.logGroupName,
    });
  }
}
