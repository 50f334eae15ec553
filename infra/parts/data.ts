import * as pulumi from "@pulumi/pulumi";
import { Cache } from "../../components/data/cache";
import { Database } from "../../components/data/database";
import { DbBootstrap } from "../../components/data/dbBootstrap";
import { VectorStore } from "../../components/data/vectorStore";
import { Images } from "../../components/images/images";
import { Network } from "../../components/network/network";
import { imageRefOf } from "../../components/shared/imageRef";
import { StackConfig } from "../config";
import { rotationGenerations } from "../config/keys/operations";

export interface DataInputs {
  network: Network;
  clusterArn: pulumi.Output<string>;
  images: Images;
}

/** PostgreSQL (which owns the data KMS key), Redis, Chroma, and the db-init task that prepares PostgreSQL. */
export function dataPart(cfg: StackConfig, { network, clusterArn, images }: DataInputs, opts: pulumi.ComponentResourceOptions) {
  // Generated credentials rotate on command: a higher generation is a new random value (issue 17).
  const rotation = rotationGenerations(cfg.credentialRotation);
  const clients = { app: network.appSecurityGroupId, jobs: network.jobsSecurityGroupId };
  const placement = { namePrefix: cfg.namePrefix, vpcId: network.vpcId, subnetIds: network.privateSubnetIds };
  const database = new Database(
    "postgres",
    {
      ...placement,
      clientSecurityGroups: clients,
      postgresVersion: cfg.postgresVersion,
      instanceClass: cfg.dbInstanceClass,
      allocatedStorageGb: cfg.dbAllocatedStorageGb,
      maxAllocatedStorageGb: cfg.dbMaxAllocatedStorageGb,
      backupRetentionDays: cfg.dbBackupRetentionDays,
      multiAz: cfg.dbMultiAz,
      deletionProtection: cfg.dbDeletionProtection,
      finalSnapshot: cfg.dbFinalSnapshot,
      performanceInsights: cfg.dbPerformanceInsights,
      monitoringIntervalSeconds: cfg.dbMonitoringIntervalSeconds,
      logRetentionDays: cfg.appLogRetentionDays,
      protect: cfg.protectStatefulResources,
      passwordRotation: { app: rotation.postgresAppPassword, backup: rotation.postgresBackupPassword },
    },
    opts,
  );
  const cache = new Cache(
    "redis",
    {
      ...placement,
      clientSecurityGroups: clients,
      kmsKeyArn: database.kmsKeyArn,
      nodeType: cfg.redisNodeType,
      replicas: cfg.redisReplicas,
      engineVersion: cfg.redisEngineVersion,
      snapshotRetentionDays: cfg.redisSnapshotRetentionDays,
      logRetentionDays: cfg.appLogRetentionDays,
      protect: cfg.protectStatefulResources,
      authTokenRotation: rotation.redisAuthToken,
      authTokenUpdateStrategy: cfg.redisAuthTokenUpdateStrategy,
    },
    opts,
  );
  const vectorStore = new VectorStore(
    "chroma",
    {
      ...placement,
      region: cfg.region,
      clusterArn,
      image: imageRefOf(cfg.chromaImage),
      cpu: cfg.chromaCpu,
      memory: cfg.chromaMemory,
      kmsKeyArn: database.kmsKeyArn,
      namespaceName: `${cfg.stack}.${cfg.project}.internal`,
      // Only the app queries Chroma; the backup job reads its files over NFS instead. A lender
      // also admits its jobs group, which previews' db-init tasks join to create and drop their
      // Chroma databases (infra/parts/sharedData.ts); its own jobs hold no Chroma token.
      apiClientSecurityGroups: { app: network.appSecurityGroupId, ...(cfg.lendsToPreviews ? { jobs: network.jobsSecurityGroupId } : {}) },
      fileClientSecurityGroups: { jobs: network.jobsSecurityGroupId },
      logRetentionDays: cfg.appLogRetentionDays,
      protect: cfg.protectStatefulResources,
      tokenRotation: rotation.chromaToken,
    },
    opts,
  );
  // Roles, grants, extensions and schema on every `pulumi up`, after the database and its network
  // path exist and before any app service rolls onto it (issue 10).
  const dbBootstrap = new DbBootstrap(
    "db-bootstrap",
    {
      namePrefix: cfg.namePrefix,
      region: cfg.region,
      image: { uri: images.imageRefs.dbInit, repositoryArn: images.pullRepositoryArns.dbInit },
      database: {
        host: database.address,
        port: database.port,
        name: database.dbName,
        masterSecretArn: database.masterSecretArn,
        appSecretArn: database.appSecretArn,
        backupSecretArn: database.backupSecretArn,
        secretKmsKeyArn: database.kmsKeyArn,
      },
      clusterArn,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.jobsSecurityGroupId,
      logRetentionDays: cfg.appLogRetentionDays,
      // The database component includes the jobs->PostgreSQL rule and the stored passwords; the network its NAT routes.
      runAfter: [database, network],
      // A new app or backup password must reach PostgreSQL although the task definition is unchanged.
      rerunTriggers: database.roleSecretVersionIds,
      timeoutSeconds: 900,
    },
    opts,
  );
  return { database, cache, vectorStore, dbBootstrap };
}
