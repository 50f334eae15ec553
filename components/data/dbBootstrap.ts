import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { RDS_CA_BUNDLE } from "./database";
import { JobTask } from "../shared/jobTask";

/** The committed runner: the same file a person runs by hand (see its header). */
export const RUN_TASK_SCRIPT = path.join(__dirname, "..", "..", "tools", "run-task.sh");

export interface DbBootstrapDatabase {
  /** RDS endpoint address (PGHOST). */
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  /** The application database db-init creates and maintains (APP_DB_NAME). */
  name: string;
  /** RDS-managed master secret: JSON `{"username","password"}` (DB_MASTER_SECRET). */
  masterSecretArn: pulumi.Input<string>;
  /** Secret with JSON key `password` of the `app` role (APP_DB_PASSWORD). */
  appSecretArn: pulumi.Input<string>;
  /** Secret with JSON key `password` of the `backup` role (BACKUP_DB_PASSWORD). */
  backupSecretArn: pulumi.Input<string>;
  /** Customer-managed keys those secrets are encrypted with. */
  secretKmsKeyArns?: pulumi.Input<string>[];
}

export interface DbBootstrapArgs {
  /** `<project>-<stack>`: task family `<namePrefix>-db-init`. */
  namePrefix: string;
  region: string;
  /** db-init image, pinned by digest. */
  image: pulumi.Input<string>;
  /** Its ECR repository (the execution role pulls from it); unset for an image outside ECR. */
  imageRepositoryArn?: pulumi.Input<string>;
  database: DbBootstrapDatabase;
  /** Extensions db-init creates in the application database (DB_EXTENSIONS). */
  extensions: string[];
  /** Shared ECS cluster (name or ARN). */
  cluster: pulumi.Input<string>;
  /** Private subnets; the task gets no public IP. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The jobs security group (must be allowed into the database's group on its port). */
  securityGroupId: pulumi.Input<string>;
  /** Days the task's log group keeps its logs. */
  logRetentionDays: number;
  /**
   * Resources that must exist before the task can run: the database, the security-group rule
   * that admits the jobs group, the network's NAT routes (image pull).
   */
  runAfter: pulumi.Input<pulumi.Resource>[];
  /**
   * Values whose change must re-run the bootstrap although the task definition did not change,
   * e.g. the version ids of the password secrets (db-init re-applies passwords on every run).
   */
  rerunTriggers?: pulumi.Input<string>[];
  /** Seconds `pulumi up` waits for the task before stopping it and failing. */
  timeoutSeconds: number;
  /**
   * A tenant on a shared instance (the preview tier): db-init's roles get these names instead
   * of its defaults (DB_OWNER_ROLE, ...), and destroying this component runs db-init `--drop`,
   * which removes the database and exactly these roles (each must carry DB_TENANT in its name).
   */
  tenant?: { name: string; roles: { owner: string; app: string; backup: string; readonly: string } };
}

/**
 * Issue 10's database bootstrap: the db-init task definition, and a `pulumi up` step that runs
 * it after the database exists and before the app services roll. A failed bootstrap fails the
 * `up`, with the task's last log lines in the output, and no service rolls onto a database
 * without its roles and schema.
 *
 * It is a local command running tools/run-task.sh rather than a Lambda-backed dynamic
 * provider: a DevOps engineer runs the very same script by hand, its output lands in the
 * `pulumi up` log, and there is no function, role and code bundle to maintain and secure
 * for a 30-second job. The deploying machine needs the AWS CLI (CI has it).
 *
 * When it runs: whenever its inputs change: the task definition ARN (a new image digest, host,
 * extension list or secret), the runner script, or `rerunTriggers`. Not on every `up`:
 * db-init is idempotent so that would be safe, but every preview would then show a change
 * and every deploy would wait a Fargate start (about a minute) for `nothing to do`, which
 * trains people to ignore the diff. To force a run: `pulumi up --replace <urn of the
 * Command>`, or run the script by hand.
 */
export class DbBootstrap extends pulumi.ComponentResource {
  readonly task: JobTask;
  /** Completes when the bootstrap has succeeded: put it in the app services' `dependsOn`. */
  readonly done: command.local.Command;

  constructor(name: string, args: DbBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:data:DbBootstrap", name, {}, opts);
    const child = { parent: this };
    const db = args.database;

    this.task = new JobTask(`${name}-job`, {
      namePrefix: args.namePrefix,
      job: "db-init",
      image: args.image,
      imageRepositoryArn: args.imageRepositoryArn,
      region: args.region,
      cpu: 256,
      memory: 512,
      environment: {
        PGHOST: db.host,
        PGPORT: pulumi.output(db.port).apply(String),
        // TLS with the server's certificate and host name verified against the RDS CA bundle in the image.
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: RDS_CA_BUNDLE,
        APP_DB_NAME: db.name,
        ...(args.extensions.length > 0 ? { DB_EXTENSIONS: args.extensions.join(",") } : {}),
        ...(args.tenant ? {
          DB_TENANT: args.tenant.name,
          DB_OWNER_ROLE: args.tenant.roles.owner, DB_APP_ROLE: args.tenant.roles.app,
          DB_BACKUP_ROLE: args.tenant.roles.backup, DB_READONLY_ROLE: args.tenant.roles.readonly,
        } : {}),
      },
      // readonly is a NOLOGIN group in db-init: it has no password to set (see its README).
      secrets: {
        DB_MASTER_SECRET: { secretArn: db.masterSecretArn },
        APP_DB_PASSWORD: { secretArn: db.appSecretArn, jsonKey: "password" },
        BACKUP_DB_PASSWORD: { secretArn: db.backupSecretArn, jsonKey: "password" },
      },
      secretKmsKeyArns: db.secretKmsKeyArns,
      // No task role: db-init talks only to PostgreSQL, never to an AWS API.
      logRetentionDays: args.logRetentionDays,
    }, child);

    const script = fs.readFileSync(RUN_TASK_SCRIPT, "utf8");
    // A tenant's database and roles go with its stack: the same task, told to drop (jobs/db-init --drop).
    const drop = { containerOverrides: [{ name: "db-init", command: ["--drop"] }] };
    this.done = new command.local.Command(`${name}-run`, {
      // The committed script's text is the command: it runs wherever the deploy runs (no
      // dependency on the provider's working directory), and a change to it re-runs the task.
      interpreter: ["/bin/bash", "-c"],
      create: script,
      ...(args.tenant ? { delete: `export OVERRIDES='${JSON.stringify(drop)}' STARTED_BY=pulumi-destroy\n${script}` } : {}),
      environment: {
        CLUSTER: args.cluster,
        TASK_DEFINITION: this.task.taskDefinitionArn,
        CONTAINER: this.task.containerName,
        SUBNETS: pulumi.output(args.subnetIds).apply((ids) => ids.join(",")),
        SECURITY_GROUPS: args.securityGroupId,
        LOG_GROUP: this.task.logGroupName,
        LOG_STREAM_PREFIX: this.task.logStreamPrefix,
        AWS_REGION: args.region,
        STARTED_BY: "pulumi-up",
        TIMEOUT_SECONDS: String(args.timeoutSeconds),
      },
      triggers: [this.task.taskDefinitionArn, ...(args.rerunTriggers ?? [])],
    }, { ...child, dependsOn: [...args.runAfter, this.task] });

    this.registerOutputs({ taskDefinitionArn: this.task.taskDefinitionArn });
  }
}
