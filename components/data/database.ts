import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClientGroups, storeSecurityGroup } from "./securityGroup";
import { rotationKeepers, storedSecret } from "../shared/storedSecret";
import { kmsKey } from "../shared/kmsKey";

export interface DatabaseArgs {
  /** `<project>-<stack>`: start of every physical name. */
  namePrefix: string;
  vpcId: pulumi.Input<string>;
  /** Private subnets only: the DB subnet group, and so the instance and its standby, live there. */
  subnetIds: pulumi.Input<string>[];
  /** Groups allowed to connect on 5432, by label (e.g. `{ app, jobs }`); nothing else is. */
  clientSecurityGroups: ClientGroups;
  /** PostgreSQL major version ("16"); RDS picks and upgrades the minor version. */
  postgresVersion: string;
  /** RDS instance class, e.g. db.t4g.medium. */
  instanceClass: string;
  /** Initial gp3 storage (GiB). */
  allocatedStorageGb: number;
  /** Storage autoscaling ceiling (GiB), >= allocatedStorageGb; equal turns autoscaling off. */
  maxAllocatedStorageGb: number;
  /** Days of automated backups (point-in-time recovery window). */
  backupRetentionDays: number;
  /** Synchronous standby in another AZ with automatic failover. */
  multiAz: boolean;
  /** RDS refuses to delete the instance while set. */
  deletionProtection: boolean;
  /** Take a final snapshot `<namePrefix>-postgres-final` when the instance is deleted. */
  finalSnapshot: boolean;
  /** Performance Insights (7 days, free tier), encrypted with the data key. */
  performanceInsights: boolean;
  /** Enhanced monitoring interval in seconds; 0 turns it off. */
  monitoringIntervalSeconds: number;
  /** Retention of the PostgreSQL and upgrade logs exported to CloudWatch. */
  logRetentionDays: number;
  /** `protect` + `retainOnDelete` on the instance, the data key and the credential secrets. */
  protect: boolean;
  /** Generation of each login role's password: raising one generates a new password, applied by the bootstrap job. */
  passwordRotation: Record<(typeof LOGIN_ROLES)[number], number>;
}

/** Login roles the bootstrap job (jobs/db-init) creates with these passwords. `readonly` is a NOLOGIN group there: no password. */
/**
 * The application database RDS creates and db-init maintains. Not a setting: every stack's app
 * uses the same name, and renaming it on a live stack would create a new, empty database.
 */
export const APP_DB_NAME = "chatbot";
const LOGIN_ROLES = ["app", "backup"] as const;
const PORT = 5432;

/**
 * Where every image that connects to PostgreSQL keeps Amazon RDS's CA bundle (the job images'
 * Dockerfiles install it; the app images must too, see README): clients verify the server's
 * certificate and host name against it (`sslmode=verify-full`), so a spoofed endpoint is refused.
 */
export const RDS_CA_BUNDLE = "/etc/ssl/certs/rds-global-bundle.pem";

/** What a role's secret holds: libpq parameters for drivers that take them, and a URL (TLS, server verified) for those that take one. */
export function connectionParameters(c: { username: string; password: string; host: string; port: number; dbname: string }) {
  return {
    ...c,
    engine: "postgres",
    sslmode: "verify-full",
    sslrootcert: RDS_CA_BUNDLE,
    url: `postgresql://${encodeURIComponent(c.username)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.dbname)}?sslmode=verify-full&sslrootcert=${encodeURIComponent(RDS_CA_BUNDLE)}`,
  };
}

/**
 * PostgreSQL on RDS for the app's users, conversations and onboarding state, plus the data tier's
 * KMS key (also used by Cache and VectorStore). Private, encrypted, TLS-only; the master password
 * is managed and rotated by RDS. The app and the backup job never use it: each has its own role
 * and a secret with its full connection parameters.
 */
export class Database extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly instanceIdentifier: pulumi.Output<string>;
  readonly dbName: string;
  /** RDS-managed master secret (JSON username/password), rotated by RDS: for the bootstrap job only. */
  readonly masterSecretArn: pulumi.Output<string>;
  /** JSON {username,password,host,port,dbname,engine,url} of the `app` role. */
  readonly appSecretArn: pulumi.Output<string>;
  /** Current version of the app role's secret: the services pin it, so a new password rolls them. */
  readonly appSecretVersionId: pulumi.Output<string>;
  /** Same shape, `backup` role (read-only on the app schema, for pg_dump). */
  readonly backupSecretArn: pulumi.Output<string>;
  /** Version ids of the app and backup secrets: they change when a password does (a trigger to re-run the bootstrap). */
  readonly roleSecretVersionIds: pulumi.Output<string>[];
  /** The data tier's customer-managed key: storage, snapshots, secrets, Performance Insights, Redis, EFS. */
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:data:Database", name, {}, opts);
    const child = { parent: this };
    const stateful = { parent: this, protect: args.protect, retainOnDelete: args.protect };
    const p = args.namePrefix;
    const identifier = `${p}-postgres`;

    const key = kmsKey(
      `${name}-key`,
      { name: `${p}-data`, description: `${p}: database, cache and vector store data, their snapshots and credentials` },
      stateful,
    );

    const sg = storeSecurityGroup(
      name,
      {
        namePrefix: p,
        vpcId: args.vpcId,
        suffix: "postgres",
        port: PORT,
        service: "PostgreSQL",
        description: "PostgreSQL: reachable only from its client groups",
        clients: args.clientSecurityGroups,
      },
      child,
    );
    const subnets = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      { name: identifier, description: "Private subnets of the PostgreSQL instance", subnetIds: args.subnetIds, tags: { Name: identifier } },
      child,
    );

    const family = `postgres${args.postgresVersion}`;
    const params = new aws.rds.ParameterGroup(
      `${name}-params`,
      {
        // The family is in the name: a major upgrade creates a new group instead of mutating the live one.
        name: `${identifier}${args.postgresVersion}`,
        family,
        description: `${identifier}: TLS only, slow query log`,
        parameters: [
          { name: "rds.force_ssl", value: "1" },
          // Statements slower than a second are logged: enough to find slow queries without logging user data at volume.
          { name: "log_min_duration_statement", value: "1000" },
        ],
      },
      child,
    );

    // RDS would create these on first export with no expiry; created first, they keep a retention.
    const logGroups = ["postgresql", "upgrade"].map(
      (log) =>
        new aws.cloudwatch.LogGroup(`${name}-log-${log}`, { name: `/aws/rds/instance/${identifier}/${log}`, retentionInDays: args.logRetentionDays }, child),
    );

    const monitoringRole = args.monitoringIntervalSeconds > 0 ? this.monitoringRole(name, p) : undefined;

    const instance = new aws.rds.Instance(
      `${name}-instance`,
      {
        identifier,
        engine: "postgres",
        engineVersion: args.postgresVersion,
        autoMinorVersionUpgrade: true,
        instanceClass: args.instanceClass,
        storageType: "gp3",
        allocatedStorage: args.allocatedStorageGb,
        // RDS takes 0 for "no autoscaling" and refuses a ceiling equal to the storage itself.
        maxAllocatedStorage: args.maxAllocatedStorageGb > args.allocatedStorageGb ? args.maxAllocatedStorageGb : 0,
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbName: APP_DB_NAME,
        port: PORT,
        username: "chatbot_admin",
        // RDS keeps the master password in Secrets Manager (encrypted with our key) and rotates it
        // itself: no password ever passes through Pulumi state. Nothing but the bootstrap job uses
        // the master user (issue 10), so rotation cannot break the app.
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: key.arn,
        iamDatabaseAuthenticationEnabled: true,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [sg.id],
        publiclyAccessible: false,
        parameterGroupName: params.name,
        multiAz: args.multiAz,
        backupRetentionPeriod: args.backupRetentionDays,
        // UTC; before the 02:00 backup job so the two do not compete for I/O, maintenance after both.
        backupWindow: "00:30-01:30",
        maintenanceWindow: "sun:03:30-sun:04:30",
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection,
        skipFinalSnapshot: !args.finalSnapshot,
        finalSnapshotIdentifier: `${identifier}-final`,
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        performanceInsightsEnabled: args.performanceInsights,
        performanceInsightsKmsKeyId: args.performanceInsights ? key.arn : undefined,
        performanceInsightsRetentionPeriod: args.performanceInsights ? 7 : undefined,
        monitoringInterval: args.monitoringIntervalSeconds,
        monitoringRoleArn: monitoringRole?.arn,
        tags: { Name: identifier },
      },
      { ...stateful, dependsOn: logGroups },
    );

    const roleSecret = (role: (typeof LOGIN_ROLES)[number]) => {
      // Alphanumeric only: the password goes into a URL and a libpq connection string unescaped.
      const password = new random.RandomPassword(
        `${name}-${role}-password`,
        { length: 40, special: false, ...rotationKeepers(args.passwordRotation[role]) },
        child,
      );
      const value = pulumi
        .all([instance.address, instance.port, password.result])
        .apply(([host, port, pw]) => JSON.stringify(connectionParameters({ username: role, password: pw, host, port, dbname: APP_DB_NAME })));
      return storedSecret(
        `${name}-${role}`,
        {
          name: `${p}/postgres/${role}`,
          description: `PostgreSQL role ${role}: connection parameters (JSON) and URL; password applied by the bootstrap job`,
          kmsKeyArn: key.arn,
          value,
          protect: args.protect,
        },
        this,
      );
    };
    const [app, backup] = LOGIN_ROLES.map(roleSecret);

    this.address = instance.address;
    this.port = instance.port;
    this.instanceIdentifier = instance.identifier;
    this.dbName = APP_DB_NAME;
    this.masterSecretArn = instance.masterUserSecrets.apply((s) => s[0].secretArn);
    this.appSecretArn = app.secret.arn;
    this.appSecretVersionId = app.versionId;
    this.backupSecretArn = backup.secret.arn;
    this.roleSecretVersionIds = [app.version.versionId, backup.version.versionId];
    this.kmsKeyArn = key.arn;
    this.securityGroupId = sg.id;
    this.registerOutputs({
      address: this.address,
      port: this.port,
      instanceIdentifier: this.instanceIdentifier,
      dbName: this.dbName,
      masterSecretArn: this.masterSecretArn,
      appSecretArn: this.appSecretArn,
      backupSecretArn: this.backupSecretArn,
      roleSecretVersionIds: this.roleSecretVersionIds,
      kmsKeyArn: this.kmsKeyArn,
      securityGroupId: this.securityGroupId,
    });
  }

  /** Enhanced monitoring publishes OS metrics through this role; AWS's managed policy is scoped to that. */
  private monitoringRole(name: string, p: string): aws.iam.Role {
    const child = { parent: this };
    const partition = aws.getPartitionOutput({}, child).partition;
    const role = new aws.iam.Role(
      `${name}-monitoring`,
      {
        name: `${p}-rds-monitoring`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      child,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-monitoring`,
      { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole` },
      child,
    );
    return role;
  }
}
