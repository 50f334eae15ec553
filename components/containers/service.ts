import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSecrets } from "../shared/containerSecret";
import { fargateTask, sortedEnvironment } from "../shared/fargateTask";
import { ImageRef } from "../shared/imageRef";
import { PolicyStatement } from "../shared/policyStatement";

export interface ServiceLoadBalancing {
  /** Target group the service registers its tasks in (resolved only once a listener forwards to it). */
  targetGroupArn: pulumi.Input<string>;
  /** Container port the target group sends traffic to. */
  containerPort: number;
  /** Seconds a new task may fail load balancer health checks before ECS replaces it (start-up time). */
  healthCheckGracePeriodSeconds: number;
  /** `<ALB arnSuffix>/<target group arnSuffix>`: the ALBRequestCountPerTarget metric's resource label. */
  requestCountResourceLabel: pulumi.Input<string>;
  /** ALB requests per task per minute the autoscaling aims for; unset, CPU alone drives scaling. */
  requestsPerTarget?: number;
}

export interface ServiceArgs {
  /** `<project>-<stack>`; service, task family, roles and log group are named `<namePrefix>-<serviceName>...`. */
  namePrefix: string;
  /** Short name: `api`, `telegram-bot`; also the container name. */
  serviceName: string;
  region: string;
  clusterArn: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  /**
   * false: the image has no release yet (a first deploy before the app's CI pushed one). The
   * service is created with no task and an autoscaling range of 0, so it is steady at once; the
   * first configured digest raises the range to minCount..maxCount and autoscaling starts tasks.
   */
  released?: boolean;
  /** Image pinned by digest (`repo@sha256:...`), and its ECR repository if it is in ECR. */
  image: ImageRef;
  /** Fargate CPU units and memory (MiB), validated as a Fargate combination by config. */
  cpu: number;
  memory: number;
  /** Autoscaling floor (also the desired count at creation) and ceiling. */
  minCount: number;
  maxCount: number;
  /** Average CPU % the autoscaling aims for. */
  cpuTargetPercent: number;
  /**
   * The workload tolerates only one running copy (a bot polling its platform with one token):
   * a release stops the old task before starting the new one instead of overlapping them.
   */
  singleConsumer?: boolean;
  /** Private subnets the tasks run in (never a public IP). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  securityGroupIds: pulumi.Input<string>[];
  /** Plain settings only: a secret here would be readable by anyone who can describe the task. */
  environment: Record<string, pulumi.Input<string>>;
  /** Env var name -> secret; undefined entries (a secret another part has not provided yet) are skipped. */
  secrets: ContainerSecrets;
  /** Days the container log group keeps logs. */
  logRetentionDays: number;
  /** `uid:gid` the container runs as; unset, the image's USER. */
  user?: string;
  /**
   * Directories the container may write, each a task-storage volume (the root filesystem is
   * read-only). ECS creates them root-owned 0755; for a non-root `user` the image must declare the
   * path as a `VOLUME` with the permissions it needs, which ECS copies.
   */
  writablePaths: string[];
  /** What the task role may do; none, the role grants nothing. */
  taskPolicyStatements?: PolicyStatement[];
  /** Behind a load balancer: target group, port and request-based scaling. */
  loadBalancer?: ServiceLoadBalancing;
  /**
   * CloudWatch alarms a release is judged by: while one is in ALARM during a deployment, ECS fails
   * it and rolls back to the last completed one (on metrics, not only on tasks that fail to start).
   */
  deploymentAlarmNames?: string[];
}

/**
 * Tasks of a single-consumer service (floor and ceiling alike): a bot polls its platform with one
 * token, Telegram's getUpdates serves one consumer and an unsharded Discord gateway session sends
 * every event to each copy. More copies need webhooks or sharding in the bots first.
 */
export const SINGLE_CONSUMER_TASKS = 1;

const SCALE_OUT_COOLDOWN = 60;
// Scale in slowly: a bot or API task that is stopped drops its in-flight conversations.
const SCALE_IN_COOLDOWN = 300;

/**
 * A long-running Fargate service: its task definition (read-only root filesystem, init process,
 * secrets only through ECS `secrets`), least-privilege task and execution roles, a log group with
 * retention, zero-downtime rolling deployments with circuit-breaker rollback, and target-tracking
 * autoscaling on CPU (plus ALB requests per task when behind a load balancer).
 */
export class Service extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:Service", name, {}, opts);
    const child = { parent: this };
    const svc = args.serviceName;
    const full = `${args.namePrefix}-${svc}`;
    const lb = args.loadBalancer;
    const volumes = args.writablePaths.map((p) => ({ name: volumeName(p), path: p }));
    const task = fargateTask(
      name,
      {
        namePrefix: args.namePrefix,
        family: full,
        region: args.region,
        cpu: args.cpu,
        memory: args.memory,
        logRetentionDays: args.logRetentionDays,
        container: {
          name: svc,
          image: args.image,
          leading: {
            ...(args.user ? { user: args.user } : {}),
            readonlyRootFilesystem: true,
            privileged: false,
            // A real PID 1 forwards SIGTERM and reaps zombies, so rolling deployments stop tasks cleanly.
            linuxParameters: { initProcessEnabled: true },
            portMappings: lb ? [{ containerPort: lb.containerPort, protocol: "tcp" }] : [],
          },
          environment: sortedEnvironment(args.environment),
          secrets: args.secrets,
          trailing: { mountPoints: volumes.map((v) => ({ sourceVolume: v.name, containerPath: v.path, readOnly: false })) },
          logStreamPrefix: svc,
        },
        volumes: volumes.map((v) => ({ name: v.name })),
        executionRoleDescription: `ECS pulls the image, writes logs and reads the secrets of ${full}`,
        taskRole: {
          description: `What the containers of ${full} may do in AWS`,
          ...(args.taskPolicyStatements?.length ? { statements: args.taskPolicyStatements } : {}),
        },
        keepReplacedRevisions: true,
      },
      this,
    );
    const { taskDefinition, executionRole, executionPolicy, logGroup } = task;
    const taskRole = task.taskRole!;
    const taskPolicies = task.taskPolicy ? [task.taskPolicy] : [];

    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        name: full,
        cluster: args.clusterArn,
        taskDefinition: taskDefinition.arn,
        launchType: "FARGATE",
        desiredCount: args.released === false ? 0 : args.minCount,
        networkConfiguration: { subnets: args.subnetIds, securityGroups: args.securityGroupIds, assignPublicIp: false },
        // Zero-downtime rolling release: new tasks start (up to 2x) before old ones stop; a release
        // whose tasks do not become healthy is rolled back automatically. A single consumer trades
        // a few seconds of downtime for never running two copies at once.
        deploymentMinimumHealthyPercent: args.singleConsumer ? 0 : 100,
        deploymentMaximumPercent: args.singleConsumer ? 100 : 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...(args.deploymentAlarmNames?.length ? { alarms: { alarmNames: args.deploymentAlarmNames, enable: true, rollback: true } } : {}),
        // `pulumi up` returns when the release has settled, so the pipeline reports its outcome.
        waitForSteadyState: true,
        enableExecuteCommand: false,
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
        ...(lb
          ? {
              loadBalancers: [{ targetGroupArn: lb.targetGroupArn, containerName: svc, containerPort: lb.containerPort }],
              healthCheckGracePeriodSeconds: lb.healthCheckGracePeriodSeconds,
            }
          : {}),
      },
      {
        ...child,
        // What the component was told to wait for (e.g. the database bootstrap) holds back the tasks.
        dependsOn: pulumi.output(opts?.dependsOn ?? []).apply((d) => [...(Array.isArray(d) ? d : [d]), executionPolicy, ...taskPolicies]),
        // Autoscaling owns the running count after creation; a deploy must not reset it to the floor.
        ignoreChanges: ["desiredCount"],
      },
    );

    const target = new aws.appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
        minCapacity: args.released === false ? 0 : args.minCount,
        maxCapacity: args.released === false ? 0 : args.maxCount,
      },
      child,
    );
    const tracking = (metric: string, policy: string, targetValue: number, resourceLabel?: pulumi.Input<string>) =>
      new aws.appautoscaling.Policy(
        `${name}-${policy}`,
        {
          name: `${full}-${policy}`,
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue,
            predefinedMetricSpecification: { predefinedMetricType: metric, ...(resourceLabel ? { resourceLabel } : {}) },
            scaleOutCooldown: SCALE_OUT_COOLDOWN,
            scaleInCooldown: SCALE_IN_COOLDOWN,
          },
        },
        child,
      );
    tracking("ECSServiceAverageCPUUtilization", "cpu", args.cpuTargetPercent);
    if (lb?.requestsPerTarget !== undefined) {
      tracking("ALBRequestCountPerTarget", "requests", lb.requestsPerTarget, lb.requestCountResourceLabel);
    }

    this.serviceName = service.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.logGroupName = logGroup.name;
    this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinitionArn, logGroupName: this.logGroupName });
  }
}

function volumeName(p: string): string {
  return p.replace(/^\/+/, "").replace(/[^A-Za-z0-9_-]/g, "-") || "root";
}
