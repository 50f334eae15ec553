import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecrRepositoryArn } from "../shared/buildContext";
import { ecsTaskTrustPolicy } from "../shared/ecsTaskRoles";

export const CHROMA_PORT = 8000;

export interface ChromaTaskArgs {
  /** Task definition family, `<namePrefix>-chroma`. */
  family: string;
  region: string;
  image: string;
  cpu: number;
  memory: number;
  logGroup: aws.cloudwatch.LogGroup;
  /** Secret holding the bearer token, as a plain string. */
  tokenSecretArn: pulumi.Input<string>;
  /** Its current version, pinned in `valueFrom`: a new token is a new revision, so Chroma rolls onto it. */
  tokenSecretVersionId: pulumi.Input<string>;
  /** Key the token secret is encrypted with. */
  kmsKeyArn: pulumi.Input<string>;
  fileSystem: aws.efs.FileSystem;
  accessPoint: aws.efs.AccessPoint;
  /** Where Chroma keeps its data: the EFS volume is mounted here. */
  persistDir: string;
}


function role(name: string, roleName: string, region: string, parent: pulumi.Resource, kind: "task" | "execution"): aws.iam.Role {
  return new aws.iam.Role(name, { name: roleName, assumeRolePolicy: ecsTaskTrustPolicy(region, parent, kind) }, { parent });
}

/**
 * Chroma's task definition and its two roles. The execution role may only pull the image (if it
 * is in ECR), write the task's log stream and read the token secret; the task role may only
 * mount and write the file system through its access point.
 */
export function chromaTaskDefinition(name: string, args: ChromaTaskArgs, parent: pulumi.Resource): aws.ecs.TaskDefinition {
  const child = { parent };

  const execution = role(`${name}-execution`, `${args.family}-execution`, args.region, parent, "execution");
  const imageRepositoryArn = ecrRepositoryArn(args.image);
  new aws.iam.RolePolicy(`${name}-execution`, {
    role: execution.id,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: pulumi.interpolate`${args.logGroup.arn}:log-stream:*`,
        },
        { Sid: "TokenSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.tokenSecretArn },
        {
          Sid: "TokenSecretKey", Effect: "Allow", Action: "kms:Decrypt", Resource: args.kmsKeyArn,
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
        },
        // Public registries (Docker Hub) need no IAM permission; an ECR image needs these on its repository.
        ...(imageRepositoryArn ? [
          { Sid: "EcrToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            Resource: imageRepositoryArn,
          },
        ] : []),
      ],
    }),
  }, child);

  const task = role(`${name}-task`, `${args.family}-task`, args.region, parent, "task");
  new aws.iam.RolePolicy(`${name}-task`, {
    role: task.id,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [{
        Sid: "MountThroughAccessPoint", Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: args.fileSystem.arn,
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": args.accessPoint.arn } },
      }],
    }),
  }, child);

  const container = {
    name: "chroma",
    image: args.image,
    essential: true,
    portMappings: [{ containerPort: CHROMA_PORT, protocol: "tcp", name: "chroma" }],
    // The image's CMD adds `--log-config chromadb/log_config.yml`, whose file handler writes
    // /chroma/chroma.log into the image; without it uvicorn logs to stdout/stderr only, which
    // lets the root filesystem stay read-only. The image's entrypoint prepends `uvicorn chromadb.app:app`.
    command: [`--workers 1 --host 0.0.0.0 --port ${CHROMA_PORT} --proxy-headers --timeout-keep-alive 30`],
    readonlyRootFilesystem: true,
    environment: [
      { name: "IS_PERSISTENT", value: "TRUE" },
      { name: "PERSIST_DIRECTORY", value: args.persistDir },
      { name: "ANONYMIZED_TELEMETRY", value: "FALSE" },
      { name: "CHROMA_SERVER_AUTHN_PROVIDER", value: "chromadb.auth.token_authn.TokenAuthenticationServerProvider" },
      // CHROMA_AUTH_TOKEN_TRANSPORT_HEADER is left unset: Chroma's default is `Authorization: Bearer <token>`.
      { name: "TMPDIR", value: "/tmp" },
    ],
    secrets: [{ name: "CHROMA_SERVER_AUTHN_CREDENTIALS", valueFrom: pulumi.interpolate`${args.tokenSecretArn}:::${args.tokenSecretVersionId}` }],
    mountPoints: [
      { sourceVolume: "data", containerPath: args.persistDir, readOnly: false },
      // Fargate has no tmpfs: a task-local volume gives Python and SQLite a writable temp directory.
      { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
    ],
    // The image's entrypoint asks for 65535 open files (CHROMA_SERVER_NOFILE); granted here, not left to the platform default.
    ulimits: [{ name: "nofile", softLimit: 65535, hardLimit: 65535 }],
    // The heartbeat needs no token. Python is in the image (curl is not guaranteed across tags).
    healthCheck: {
      command: ["CMD", "python", "-c", `import urllib.request; urllib.request.urlopen('http://localhost:${CHROMA_PORT}/api/v1/heartbeat', timeout=4)`],
      interval: 30, timeout: 5, retries: 3, startPeriod: 60,
    },
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": args.logGroup.name, "awslogs-region": args.region, "awslogs-stream-prefix": "chroma" },
    },
  };

  return new aws.ecs.TaskDefinition(`${name}-task`, {
    family: args.family,
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: String(args.cpu),
    memory: String(args.memory),
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    executionRoleArn: execution.arn,
    taskRoleArn: task.arn,
    volumes: [
      {
        name: "data",
        efsVolumeConfiguration: {
          fileSystemId: args.fileSystem.id,
          transitEncryption: "ENABLED",
          authorizationConfig: { accessPointId: args.accessPoint.id, iam: "ENABLED" },
        },
      },
      { name: "tmp" },
    ],
    containerDefinitions: pulumi.jsonStringify([container]),
  }, child);
}
