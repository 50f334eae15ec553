import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSecret } from "./containerSecret";
import { fargateTask, sortedEnvironment } from "./fargateTask";
import { ImageRef } from "./imageRef";
import { PolicyStatement } from "./policyStatement";

/** An EFS access point mounted into the container. */
export interface JobEfsVolume {
  fileSystemId: pulumi.Input<string>;
  accessPointId: pulumi.Input<string>;
  /** Where the container sees it. */
  containerPath: string;
  /** Read-only mounts get only `elasticfilesystem:ClientMount`, writable ones `ClientWrite` too. */
  readOnly: boolean;
}

export interface JobTaskArgs {
  /** `<project>-<stack>`. */
  namePrefix: string;
  /** The job's name: task definition family `<namePrefix>-<job>`, container `<job>`, log group `/<namePrefix>/ecs/<job>`. */
  job: string;
  /** Image pinned by digest (from the images component or config), and its ECR repository. */
  image: ImageRef;
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
  /** Environment variables filled by ECS from Secrets Manager when the task starts (each with its KMS key). */
  secrets: Record<string, ContainerSecret>;
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

/**
 * A one-off or scheduled Fargate task: its task definition, log group, execution role (pull
 * the image, write the log group, read exactly its own secrets) and, when it calls AWS, a task
 * role with only the statements the caller gives. Shared by the backup job and the database
 * bootstrap; built, like the services' and Chroma's tasks, by fargateTask.
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

    const efs = args.efsVolume;
    const efsStatements = efs
      ? pulumi
          .all([efs.fileSystemId, efs.accessPointId, account, partition])
          .apply(([fsId, apId, acct, part]): PolicyStatement[] => [
            {
              Sid: "EfsMount",
              Effect: "Allow",
              Action: efs.readOnly ? "elasticfilesystem:ClientMount" : ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
              Resource: `arn:${part}:elasticfilesystem:${args.region}:${acct}:file-system/${fsId}`,
              Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": `arn:${part}:elasticfilesystem:${args.region}:${acct}:access-point/${apId}` } },
            },
          ])
      : pulumi.output([] as PolicyStatement[]);

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

    const task = fargateTask(
      name,
      {
        namePrefix: args.namePrefix,
        family: this.family,
        region: args.region,
        cpu: args.cpu,
        memory: args.memory,
        cpuArchitecture: args.cpuArchitecture,
        ephemeralStorageGb: args.ephemeralStorageGb,
        logRetentionDays: args.logRetentionDays,
        container: {
          name: this.containerName,
          image: args.image,
          leading: args.command ? { command: args.command } : {},
          environment: sortedEnvironment(args.environment),
          secrets: args.secrets,
          trailing: { readonlyRootFilesystem: true, privileged: false, mountPoints },
          logStreamPrefix: this.logStreamPrefix,
        },
        volumes,
        executionRoleDescription: `ECS agent of ${this.family}: pulls the image, writes its logs, reads its secrets`,
        // No statements and no EFS volume: the task gets no role at all.
        taskRole:
          args.taskPolicyStatements !== undefined || efs
            ? {
                description: `What the ${this.family} container itself may do in AWS`,
                statements: pulumi.all([pulumi.output(args.taskPolicyStatements ?? []), efsStatements]).apply(([own, mount]) => [...own, ...mount]),
              }
            : undefined,
      },
      this,
    );
    const { taskDefinition, executionRole: execRole, logGroup } = task;
    const taskRole = task.taskRole;

    this.taskDefinitionArn = taskDefinition.arn;
    this.taskRoleArn = taskRole?.arn;
    this.executionRoleArn = execRole.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      logGroupName: this.logGroupName,
    });
  }
}
