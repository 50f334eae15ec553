import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClientGroups, storeSecurityGroup } from "./securityGroup";
import { rotationKeepers, storedSecret } from "../shared/storedSecret";

/**
 * Once memory is full, evict the least recently used key. The cache holds LLM answers, any of which
 * may be dropped, in every stack alike; `noeviction` would fail the app's writes instead. Was the
 * `redisMaxmemoryPolicy` key (infra/config/keys/retired.ts).
 */
export const CACHE_EVICTION_POLICY = "allkeys-lru";

export interface CacheArgs {
  /** `<project>-<stack>`: start of every physical name. */
  namePrefix: string;
  vpcId: pulumi.Input<string>;
  /** Private subnets only (the cache subnet group). */
  subnetIds: pulumi.Input<string>[];
  /** Groups allowed to connect on 6379, by label (e.g. `{ app, jobs }`); nothing else is. */
  clientSecurityGroups: ClientGroups;
  /** The data tier's KMS key: data at rest, snapshots and the URL secret. */
  kmsKeyArn: pulumi.Input<string>;
  /** ElastiCache node type, e.g. cache.t4g.small. */
  nodeType: string;
  /** Read replicas; >= 1 turns on automatic failover and multi-AZ. */
  replicas: number;
  /** Redis engine version, "7.1" or "6.2". */
  engineVersion: string;
  /** Days of daily snapshots; 0 turns them off. */
  snapshotRetentionDays: number;
  /** Retention of the slow-log and engine-log group. */
  logRetentionDays: number;
  /** `protect` + `retainOnDelete` on the URL secret (it holds the generated auth token). */
  protect: boolean;
  /** Generation of the auth token: raising it generates a new token (see README, "Rotating secrets"). */
  authTokenRotation: number;
  /**
   * How ElastiCache applies a new token: ROTATE keeps the old one valid beside the new one while the
   * clients roll onto it; SET (the default, and the second step of a rotation) makes the new one the
   * only valid token.
   */
  authTokenUpdateStrategy: "ROTATE" | "SET";
}

const PORT = 6379;

/** Parameter group family of a Redis version: "7.1" -> redis7, "6.2" -> redis6.x. */
export function redisFamily(engineVersion: string): string {
  const major = Number(engineVersion.split(".")[0]);
  return major >= 7 ? `redis${major}` : `redis${major}.x`;
}

/**
 * Redis on ElastiCache for the LLM answer cache: TLS in transit, encrypted at rest, AUTH token,
 * private. The app reads its URL (with the token) from a Secrets Manager secret. Its content is
 * a cache, so the group itself is not protected; the secret holding the token is.
 */
export class Cache extends pulumi.ComponentResource {
  readonly primaryEndpoint: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  /** Plain string `rediss://:<token>@<primary endpoint>:6379`. */
  readonly urlSecretArn: pulumi.Output<string>;
  /** Current version of the URL secret (changes with the token): clients pin it. */
  readonly urlSecretVersionId: pulumi.Output<string>;
  readonly replicationGroupId: pulumi.Output<string>;
  /** Node ids (`<group>-001`, ...), the CacheClusterId dimension of per-node metrics. */
  readonly memberClusterIds: pulumi.Output<string[]>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:data:Cache", name, {}, opts);
    const child = { parent: this };
    const p = args.namePrefix;
    const id = `${p}-redis`;

    const sg = storeSecurityGroup(
      name,
      {
        namePrefix: p,
        vpcId: args.vpcId,
        suffix: "redis",
        port: PORT,
        service: "Redis",
        description: "Redis: reachable only from its client groups",
        clients: args.clientSecurityGroups,
      },
      child,
    );
    const subnets = new aws.elasticache.SubnetGroup(
      `${name}-subnets`,
      { name: id, description: "Private subnets of the Redis cache", subnetIds: args.subnetIds, tags: { Name: id } },
      child,
    );
    const family = redisFamily(args.engineVersion);
    const params = new aws.elasticache.ParameterGroup(
      `${name}-params`,
      {
        name: `${p}-${family.replace(/\./g, "-")}`,
        family,
        description: `${id}: eviction policy`,
        parameters: [{ name: "maxmemory-policy", value: CACHE_EVICTION_POLICY }],
      },
      child,
    );
    const logs = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/${p}/redis`, retentionInDays: args.logRetentionDays }, child);

    // ElastiCache accepts 16-128 printable characters except @ " /; alphanumeric is also URL-safe.
    const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false, ...rotationKeepers(args.authTokenRotation) }, child);
    const failover = args.replicas >= 1;

    const group = new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        replicationGroupId: id,
        description: `${p}: LLM answer cache`,
        engine: "redis",
        engineVersion: args.engineVersion,
        autoMinorVersionUpgrade: true,
        nodeType: args.nodeType,
        numCacheClusters: args.replicas + 1,
        automaticFailoverEnabled: failover,
        multiAzEnabled: failover,
        port: PORT,
        parameterGroupName: params.name,
        subnetGroupName: subnets.name,
        securityGroupIds: [sg.id],
        transitEncryptionEnabled: true,
        atRestEncryptionEnabled: true,
        kmsKeyId: args.kmsKeyArn,
        authToken: token.result,
        authTokenUpdateStrategy: args.authTokenUpdateStrategy,
        snapshotRetentionLimit: args.snapshotRetentionDays,
        // UTC; clear of the 02:00 backup job and of the database's windows.
        snapshotWindow: "01:30-02:30",
        maintenanceWindow: "sun:04:30-sun:05:30",
        logDeliveryConfigurations: ["slow-log", "engine-log"].map((logType) => ({
          destination: logs.name,
          destinationType: "cloudwatch-logs",
          logFormat: "json",
          logType,
        })),
        tags: { Name: id },
      },
      child,
    );

    const url = pulumi.interpolate`rediss://:${token.result}@${group.primaryEndpointAddress}:${group.port}`;
    const { secret, versionId } = storedSecret(
      `${name}-url`,
      { name: `${p}/redis/url`, description: "Redis URL with the AUTH token (TLS: rediss://)", kmsKeyArn: args.kmsKeyArn, value: url, protect: args.protect },
      this,
    );

    this.primaryEndpoint = group.primaryEndpointAddress;
    this.port = group.port.apply((x) => x ?? PORT);
    this.urlSecretArn = secret.arn;
    this.urlSecretVersionId = versionId;
    this.replicationGroupId = group.replicationGroupId;
    this.memberClusterIds = group.memberClusters;
    this.securityGroupId = sg.id;
    this.registerOutputs({
      primaryEndpoint: this.primaryEndpoint,
      port: this.port,
      urlSecretArn: this.urlSecretArn,
      replicationGroupId: this.replicationGroupId,
      memberClusterIds: this.memberClusterIds,
      securityGroupId: this.securityGroupId,
    });
  }
}
