import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { RDS_CA_BUNDLE } from "./database";
import { ImageRef } from "../shared/imageRef";
import { JobTask } from "../shared/jobTask";

/** The committed runner: the same program a person runs by hand (see its header). */
export const RUN_TASK_DIR = path.join(__dirname, "..", "..", "tools", "run-task");
/**
 * How the command runs it: relative to the project root, which is the command provider's working
 * directory (Pulumi.yaml has no `main`), with the project's own tsx. An absolute path would make
 * every machine's plan differ.
 */
export const RUN_TASK_COMMAND = "exec node --import tsx tools/run-task/cli.ts";

/** A digest of the runner's sources: a change to the runner re-runs the bootstrap, as its text did when it was a script. */
export function runnerDigest(): string {
  const h = createHash("sha256");
  for (const f of [
    ...fs
      .readdirSync(RUN_TASK_DIR)
      .filter((n) => n.endsWith(".ts"))
      .sort()
      .map((n) => path.join(RUN_TASK_DIR, n)),
    path.join(RUN_TASK_DIR, "..", "aws", "signedCall.ts"),
  ]) {
    h.update(path.basename(f)).update(fs.readFileSync(f));
  }
  return `run-task-sha256:${h.digest("hex").slice(0, 16)}`;
}

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
  /** Customer-managed key those secrets are encrypted with (the data tier's key). */
  secretKmsKeyArn?: pulumi.Input<string>;
}

/**
 * Extensions db-init creates in the application database. A property of the app's code, not of a
 * stack: staging must run what prod runs, so adding one is a code change reviewed with the schema
 * (jobs/db-init/schema.sql), not a config key (it was `dbExtensions`; infra/config/keys/retired.ts).
 */
export const APP_EXTENSIONS: readonly string[] = ["pgcrypto"];

export interface DbBootstrapArgs {
  /** `<project>-<stack>`: task family `<namePrefix>-db-init`. */
  namePrefix: string;
  region: string;
  /** db-init image, pinned by digest, and its ECR repository. */
  image: ImageRef;
  database: DbBootstrapDatabase;
  /** Shared ECS cluster. */
  clusterArn: pulumi.Input<string>;
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
  tenant?: DbBootstrapTenant;
}

export interface DbBootstrapTenant {
  /** DB_TENANT, e.g. `pr_123`. */
  name: string;
  roles: { owner: string; app: string; backup: string; readonly: string };
  /**
   * The lender's Chroma: db-init also creates the Chroma database named `name` (the app's
   * CHROMA_DATABASE), and `--drop` deletes it. Unset, db-init does not talk to Chroma. The task's
   * security group must be admitted on Chroma's port (the lender's `lendsToPreviews`).
   */
  chroma?: {
    /** `http://chroma.<namespace>:8000` (CHROMA_URL). */
    url: pulumi.Input<string>;
    /** The Chroma bearer token's secret, a plain string (CHROMA_TOKEN), read at task start. */
    tokenSecretArn: pulumi.Input<string>;
    /** The key that secret is encrypted with (the lender's data key). */
    tokenKmsKeyArn: pulumi.Input<string>;
  };
}

/**
 * Issue 10's database bootstrap: the db-init task definition, and a `pulumi up` step that runs
 * it after the database exists and before the app services roll. A failed bootstrap fails the
 * `up`, with the task's last log lines in the output, and no service rolls onto a database
 * without its roles and schema.
 *
 * It is a local command running tools/run-task (TypeScript on @aws-sdk/client-ecs) rather than a
 * Lambda-backed dynamic provider: a DevOps engineer runs the very same program by hand, its
 * output lands in the `pulumi up` log, and there is no function, role and code bundle to
 * maintain and secure for a 30-second job. Its timeout is exact, its polling backs off, and a
 * cancelled `up` stops the task it started (tools/run-task/guardian.ts).
 *
 * When it runs: whenever its inputs change: the task definition ARN (a new image digest, host,
 * extension list or secret), the runner's sources (runnerDigest), or `rerunTriggers`. Not on every `up`:
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
    const chroma = args.tenant?.chroma;

    this.task = new JobTask(
      `${name}-job`,
      {
        namePrefix: args.namePrefix,
        job: "db-init",
        image: args.image,
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
          DB_EXTENSIONS: APP_EXTENSIONS.join(","),
          ...(args.tenant
            ? {
                DB_TENANT: args.tenant.name,
                DB_OWNER_ROLE: args.tenant.roles.owner,
                DB_APP_ROLE: args.tenant.roles.app,
                DB_BACKUP_ROLE: args.tenant.roles.backup,
                DB_READONLY_ROLE: args.tenant.roles.readonly,
              }
            : {}),
          ...(chroma ? { CHROMA_URL: chroma.url, CHROMA_DATABASE: args.tenant!.name } : {}),
        },
        // readonly is a NOLOGIN group in db-init: it has no password to set (see its README).
        secrets: {
          DB_MASTER_SECRET: { secretArn: db.masterSecretArn, kmsKeyArn: db.secretKmsKeyArn },
          APP_DB_PASSWORD: { secretArn: db.appSecretArn, jsonKey: "password", kmsKeyArn: db.secretKmsKeyArn },
          BACKUP_DB_PASSWORD: { secretArn: db.backupSecretArn, jsonKey: "password", kmsKeyArn: db.secretKmsKeyArn },
          // No version pinned: the lender's token rotates with the lender, and a task reads the current one when it starts.
          ...(chroma ? { CHROMA_TOKEN: { secretArn: chroma.tokenSecretArn, kmsKeyArn: chroma.tokenKmsKeyArn } } : {}),
        },
        // No task role: db-init talks only to PostgreSQL (and a tenant's to Chroma), never to an AWS API.
        logRetentionDays: args.logRetentionDays,
      },
      child,
    );

    // A tenant's database and roles go with its stack: the same task, told to drop (jobs/db-init --drop).
    const drop = { containerOverrides: [{ name: "db-init", command: ["--drop"] }] };
    this.done = new command.local.Command(
      `${name}-run`,
      {
        interpreter: ["/bin/sh", "-c"],
        create: RUN_TASK_COMMAND,
        ...(args.tenant ? { delete: `export OVERRIDES='${JSON.stringify(drop)}' STARTED_BY=pulumi-destroy\n${RUN_TASK_COMMAND}` } : {}),
        environment: {
          CLUSTER: args.clusterArn,
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
        triggers: [this.task.taskDefinitionArn, ...(args.rerunTriggers ?? []), runnerDigest()],
      },
      { ...child, dependsOn: [...args.runAfter, this.task] },
    );

    this.registerOutputs({ taskDefinitionArn: this.task.taskDefinitionArn });
  }
}
