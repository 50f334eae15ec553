import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSecret } from "../shared/containerSecret";
import { fargateTask, FargateTask } from "../shared/fargateTask";
import { ImageRef } from "../shared/imageRef";

export const CHROMA_PORT = 8000;

export interface ChromaTaskArgs {
  /** `<project>-<stack>`: family `<namePrefix>-chroma`, log group `/<namePrefix>/ecs/chroma`. */
  namePrefix: string;
  region: string;
  image: ImageRef;
  cpu: number;
  memory: number;
  logRetentionDays: number;
  /** The bearer token (a plain string secret), pinned to its current version: a new token is a new revision, so Chroma rolls onto it. */
  token: ContainerSecret;
  fileSystem: aws.efs.FileSystem;
  accessPoint: aws.efs.AccessPoint;
  /** Where Chroma keeps its data: the EFS volume is mounted here. */
  persistDir: string;
}

/**
 * Chroma's task definition, log group and two roles, from the shared builder: the execution role
 * may only pull the image (if it is in ECR), write the task's log stream and read the token
 * secret; the task role may only mount and write the file system through its access point.
 */
export function chromaTask(name: string, args: ChromaTaskArgs, parent: pulumi.Resource): FargateTask {
  return fargateTask(
    name,
    {
      namePrefix: args.namePrefix,
      family: `${args.namePrefix}-chroma`,
      region: args.region,
      cpu: args.cpu,
      memory: args.memory,
      logRetentionDays: args.logRetentionDays,
      container: {
        name: "chroma",
        image: args.image,
        leading: {
          portMappings: [{ containerPort: CHROMA_PORT, protocol: "tcp", name: "chroma" }],
          // The image's CMD adds `--log-config chromadb/log_config.yml`, whose file handler writes
          // /chroma/chroma.log into the image; without it uvicorn logs to stdout/stderr only, which
          // lets the root filesystem stay read-only. The image's entrypoint prepends `uvicorn chromadb.app:app`.
          command: [`--workers 1 --host 0.0.0.0 --port ${CHROMA_PORT} --proxy-headers --timeout-keep-alive 30`],
          readonlyRootFilesystem: true,
        },
        environment: {
          IS_PERSISTENT: "TRUE",
          PERSIST_DIRECTORY: args.persistDir,
          ANONYMIZED_TELEMETRY: "FALSE",
          CHROMA_SERVER_AUTHN_PROVIDER: "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
          // CHROMA_AUTH_TOKEN_TRANSPORT_HEADER is left unset: Chroma's default is `Authorization: Bearer <token>`.
          TMPDIR: "/tmp",
        },
        secrets: { CHROMA_SERVER_AUTHN_CREDENTIALS: args.token },
        trailing: {
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
            interval: 30,
            timeout: 5,
            retries: 3,
            startPeriod: 60,
          },
        },
        logStreamPrefix: "chroma",
      },
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
      taskRole: {
        statements: [
          {
            Sid: "MountThroughAccessPoint",
            Effect: "Allow",
            Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            Resource: args.fileSystem.arn,
            Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": args.accessPoint.arn } },
          },
        ],
      },
    },
    parent,
  );
}
