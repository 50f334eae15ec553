import * as pulumi from "@pulumi/pulumi";
import { DbBootstrap } from "../../components/data/dbBootstrap";
import { TenantDatabase, tenantOf } from "../../components/data/tenantDatabase";
import { Images } from "../../components/images/images";
import { APP_DB_NAME } from "../../components/data/database";
import { StackConfig } from "../config";
import { SharedNetwork } from "./sharedNetwork";

/** The lender's Redis, used under this stack's own key prefix (the app prefixes every key with REDIS_PREFIX). */
export interface SharedCache {
  urlSecretArn: pulumi.Output<string>;
  keyPrefix: string;
}

/** The lender's Chroma, used through this stack's own database in the default tenant (CHROMA_DATABASE). */
export interface SharedVectorStore {
  url: pulumi.Output<string>;
  tokenSecretArn: pulumi.Output<string>;
  database: string;
}

export interface SharedDataInputs {
  network: SharedNetwork;
  clusterArn: pulumi.Output<string>;
  images: Images;
}

/**
 * The preview tier's data: a database and roles of its own on the lender's RDS instance and a
 * database on its Chroma (both made and, on destroy, dropped by db-init), a key prefix on its Redis.
 * Redis's AUTH token is the lender's (ElastiCache RBAC is not in use), so the prefix separates the
 * answer caches but does not confine a preview: its entries carry the cache TTL and expire on their own.
 */
export function sharedDataPart(cfg: StackConfig, { network, clusterArn, images }: SharedDataInputs, opts: pulumi.ComponentResourceOptions) {
  const shared = network.lender;
  const tenant = tenantOf(cfg.stack);
  const kmsKeyArn = shared.get("dataKmsKeyArn");
  const database = new TenantDatabase(
    "postgres",
    { namePrefix: cfg.namePrefix, tenant, dbName: APP_DB_NAME, host: shared.get("postgresAddress"), port: shared.postgresPort, kmsKeyArn },
    opts,
  );
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
        // The lender's master secret: only db-init reads it, to create and drop this tenant.
        masterSecretArn: shared.get("postgresMasterSecretArn"),
        appSecretArn: database.appSecretArn,
        backupSecretArn: database.backupSecretArn,
        secretKmsKeyArn: kmsKeyArn,
      },
      clusterArn,
      subnetIds: network.privateSubnetIds,
      securityGroupId: network.jobsSecurityGroupId,
      logRetentionDays: cfg.appLogRetentionDays,
      runAfter: [database],
      rerunTriggers: database.roleSecretVersionIds,
      timeoutSeconds: 900,
      // The preview's Chroma database on the lender's Chroma, made and dropped with its PostgreSQL database.
      tenant: {
        name: tenant,
        roles: database.roles,
        chroma: { url: shared.get("chromaUrl"), tokenSecretArn: shared.get("chromaTokenSecretArn"), tokenKmsKeyArn: kmsKeyArn },
      },
    },
    opts,
  );
  const cache: SharedCache = { urlSecretArn: shared.get("redisUrlSecretArn"), keyPrefix: `${cfg.stack}:` };
  const vectorStore: SharedVectorStore = { url: shared.get("chromaUrl"), tokenSecretArn: shared.get("chromaTokenSecretArn"), database: tenant };
  return { database, cache, vectorStore, dbBootstrap };
}
