import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { chromaTask, CHROMA_PORT } from "./chromaTask";
import { ClientGroups, storeSecurityGroup } from "./securityGroup";
import { ImageRef } from "../shared/imageRef";
import { rotationKeepers, storedSecret } from "../shared/storedSecret";

export interface VectorStoreArgs {
  /** `<project>-<stack>`: start of every physical name. */
  namePrefix: string;
  /** AWS region (awslogs driver, ARNs). */
  region: string;
  vpcId: pulumi.Input<string>;
  /** Private subnets: the tasks and the EFS mount targets (one per subnet, so one per AZ). */
  subnetIds: pulumi.Input<string>[];
  /** The shared ECS cluster. */
  clusterArn: pulumi.Input<string>;
  /** Chroma image pinned by version tag or digest (0.x layout: persist dir /chroma/chroma, API v1). */
  image: ImageRef;
  /** Fargate task CPU units. */
  cpu: number;
  /** Fargate task memory (MiB), valid for `cpu`. */
  memory: number;
  /** The data tier's KMS key: EFS, the token secret. */
  kmsKeyArn: pulumi.Input<string>;
  /** Private DNS namespace, e.g. `prod.chatbot.internal`; Chroma is `chroma.<namespace>`. */
  namespaceName: string;
  /** Groups allowed to call Chroma's API on 8000, by label (e.g. `{ app }`). */
  apiClientSecurityGroups: ClientGroups;
  /** Groups besides Chroma's own tasks allowed to mount the file system (NFS 2049), e.g. `{ jobs }` for backups. */
  fileClientSecurityGroups: ClientGroups;
  /** Days Chroma's container logs are kept. */
  logRetentionDays: number;
  /** `protect` + `retainOnDelete` on the file system and the token secret. */
  protect: boolean;
  /** Generation of the API token: raising it generates a new one, and Chroma and its clients roll onto it. */
  tokenRotation: number;
}

/** Chroma's persist directory in 0.x images (IS_PERSISTENT=TRUE). */
export const CHROMA_PERSIST_DIR = "/chroma/chroma";
/** Owner of the files on EFS, enforced by the access point whatever user the container runs as. */
export const CHROMA_POSIX_ID = 1000;

/**
 * ChromaDB, the vector store of onboarding documents: one Fargate task on the shared cluster,
 * its data on an encrypted EFS file system (TLS + IAM mount through one access point), reachable
 * only from the app at `chroma.<namespace>:8000` with a bearer token. The backup job mounts the
 * same access point to archive the files.
 */
export class VectorStore extends pulumi.ComponentResource {
  /** `http://chroma.<namespace>:8000`. */
  readonly url: pulumi.Output<string>;
  /** Plain string: the bearer token clients send (`Authorization: Bearer <token>`). */
  readonly tokenSecretArn: pulumi.Output<string>;
  /** Current version of the token secret: Chroma and its clients pin it, so a new token rolls them. */
  readonly tokenSecretVersionId: pulumi.Output<string>;
  readonly fileSystemId: pulumi.Output<string>;
  readonly fileSystemArn: pulumi.Output<string>;
  readonly accessPointId: pulumi.Output<string>;
  readonly accessPointArn: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly namespaceId: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly fileSystemSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: VectorStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:data:VectorStore", name, {}, opts);
    const child = { parent: this };
    const p = args.namePrefix;
    const physical = `${p}-chroma`;

    const tasks = storeSecurityGroup(
      name,
      {
        namePrefix: p,
        vpcId: args.vpcId,
        suffix: "chroma",
        port: CHROMA_PORT,
        service: "Chroma API",
        description: "Chroma tasks: API reachable only from its client groups",
        clients: args.apiClientSecurityGroups,
      },
      child,
    );
    const efsGroup = storeSecurityGroup(
      `${name}-efs`,
      {
        namePrefix: p,
        vpcId: args.vpcId,
        suffix: "chroma-efs",
        port: 2049,
        service: "NFS",
        description: "Chroma file system: NFS only from Chroma tasks and its file clients",
        clients: { chroma: tasks.id, ...args.fileClientSecurityGroups },
      },
      child,
    );
    // Chroma's tasks reach out only to AWS APIs and the image registry (HTTPS) and to their file system.
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-out-https`,
      {
        securityGroupId: tasks.id,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        description: "HTTPS to AWS APIs and the image registry",
      },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-out-nfs`,
      {
        securityGroupId: tasks.id,
        ipProtocol: "tcp",
        fromPort: 2049,
        toPort: 2049,
        referencedSecurityGroupId: efsGroup.id,
        description: "NFS to the Chroma file system",
      },
      child,
    );

    const fs = this.fileSystem(name, args, efsGroup);

    const token = new random.RandomPassword(`${name}-token`, { length: 48, special: false, ...rotationKeepers(args.tokenRotation) }, child);
    const { secret: tokenSecret, versionId: tokenVersionId } = storedSecret(
      `${name}-token`,
      {
        name: `${p}/chroma/token`,
        description: "Chroma API bearer token (server credential and client token)",
        kmsKeyArn: args.kmsKeyArn,
        value: token.result,
        protect: args.protect,
      },
      this,
    );

    const namespace = new aws.servicediscovery.PrivateDnsNamespace(
      `${name}-namespace`,
      { name: args.namespaceName, vpc: args.vpcId, description: `${p}: internal service names` },
      child,
    );
    const discovery = new aws.servicediscovery.Service(
      `${name}-discovery`,
      {
        name: "chroma",
        namespaceId: namespace.id,
        // Short TTL: a replaced task's new address is picked up within seconds.
        dnsConfig: { namespaceId: namespace.id, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
      },
      child,
    );

    const { taskDefinition, logGroup } = chromaTask(
      name,
      {
        namePrefix: p,
        region: args.region,
        image: args.image,
        cpu: args.cpu,
        memory: args.memory,
        logRetentionDays: args.logRetentionDays,
        token: { secretArn: tokenSecret.arn, versionId: tokenVersionId, kmsKeyArn: args.kmsKeyArn },
        fileSystem: fs.fileSystem,
        accessPoint: fs.accessPoint,
        persistDir: CHROMA_PERSIST_DIR,
      },
      this,
    );

    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        name: physical,
        cluster: args.clusterArn,
        taskDefinition: taskDefinition.arn,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        // One task only, and never two at once: Chroma's SQLite and HNSW files take one writer.
        // A deploy stops the old task before starting the new one (a short outage of the vector search).
        desiredCount: 1,
        deploymentMinimumHealthyPercent: 0,
        deploymentMaximumPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        networkConfiguration: { subnets: args.subnetIds, securityGroups: [tasks.id], assignPublicIp: false },
        serviceRegistries: { registryArn: discovery.arn },
        enableExecuteCommand: false,
        propagateTags: "SERVICE",
        tags: { Name: physical },
      },
      { ...child, dependsOn: fs.mountTargets },
    );

    this.url = pulumi.interpolate`http://${discovery.name}.${namespace.name}:${CHROMA_PORT}`;
    this.tokenSecretArn = tokenSecret.arn;
    this.tokenSecretVersionId = tokenVersionId;
    this.fileSystemId = fs.fileSystem.id;
    this.fileSystemArn = fs.fileSystem.arn;
    this.accessPointId = fs.accessPoint.id;
    this.accessPointArn = fs.accessPoint.arn;
    this.serviceName = service.name;
    this.logGroupName = logGroup.name;
    this.namespaceId = namespace.id;
    this.securityGroupId = tasks.id;
    this.fileSystemSecurityGroupId = efsGroup.id;
    this.registerOutputs({
      url: this.url,
      tokenSecretArn: this.tokenSecretArn,
      fileSystemId: this.fileSystemId,
      fileSystemArn: this.fileSystemArn,
      accessPointId: this.accessPointId,
      accessPointArn: this.accessPointArn,
      serviceName: this.serviceName,
      namespaceId: this.namespaceId,
      securityGroupId: this.securityGroupId,
      fileSystemSecurityGroupId: this.fileSystemSecurityGroupId,
    });
  }

  private fileSystem(name: string, args: VectorStoreArgs, securityGroup: aws.ec2.SecurityGroup) {
    const child = { parent: this };
    const physical = `${args.namePrefix}-chroma`;
    const fileSystem = new aws.efs.FileSystem(
      `${name}-fs`,
      {
        creationToken: physical,
        encrypted: true,
        kmsKeyId: args.kmsKeyArn,
        performanceMode: "generalPurpose",
        // Bursting: a small, mostly idle volume; the monitoring part alarms on its burst credits.
        throughputMode: "bursting",
        // No transition to Infrequent Access: Chroma rereads its SQLite and index files on every start and query.
        tags: { Name: physical },
      },
      { ...child, protect: args.protect, retainOnDelete: args.protect },
    );
    // Daily AWS Backup of the volume (default plan, 35 days), in addition to the backup job's archive.
    new aws.efs.BackupPolicy(`${name}-fs-backup`, { fileSystemId: fileSystem.id, backupPolicy: { status: "ENABLED" } }, child);
    // With any file system policy in place, EFS no longer lets every client that reaches a mount
    // target in: a client needs an IAM identity whose policy allows it (the task roles). This one
    // also refuses mounts without TLS.
    new aws.efs.FileSystemPolicy(
      `${name}-fs-policy`,
      {
        fileSystemId: fileSystem.id,
        policy: fileSystem.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "DenyWithoutTls",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
                Resource: arn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          }),
        ),
      },
      child,
    );
    const accessPoint = new aws.efs.AccessPoint(
      `${name}-ap`,
      {
        fileSystemId: fileSystem.id,
        posixUser: { uid: CHROMA_POSIX_ID, gid: CHROMA_POSIX_ID },
        rootDirectory: { path: "/chroma", creationInfo: { ownerUid: CHROMA_POSIX_ID, ownerGid: CHROMA_POSIX_ID, permissions: "0750" } },
        tags: { Name: physical },
      },
      child,
    );
    const mountTargets = args.subnetIds.map(
      (subnetId, i) => new aws.efs.MountTarget(`${name}-mount-${i}`, { fileSystemId: fileSystem.id, subnetId, securityGroups: [securityGroup.id] }, child),
    );
    return { fileSystem, accessPoint, mountTargets };
  }
}
