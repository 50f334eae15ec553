import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { storedSecret } from "../shared/storedSecret";
import { connectionParameters } from "./database";

export interface TenantDatabaseArgs {
  /** `<project>-<stack>`: secrets are `<namePrefix>/postgres/<role>`. */
  namePrefix: string;
  /** The tenant's marker, e.g. `pr_123`: in the database's and every role's name (db-init's drop checks it). */
  tenant: string;
  /** Base name of the database; the tenant's is `<dbName>_<tenant>`. */
  dbName: string;
  /** The shared RDS instance's address and port. */
  host: pulumi.Input<string>;
  port: pulumi.Input<number>;
  /** The shared data key: the lender's tasks and this stack's read secrets under it. */
  kmsKeyArn: pulumi.Input<string>;
}

/**
 * One stack's database on another stack's RDS instance: its name, its four roles (named for the
 * tenant, so they can never be the lender's), their passwords and connection secrets. The database
 * and roles themselves are made by db-init (DbBootstrap with `tenant`), which also drops them when
 * the stack is destroyed. db-init gives a tenant's login roles CONNECT on the tenant's database
 * only, and the lender's database already refuses PUBLIC: they cannot reach the lender's data.
 */
export class TenantDatabase extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly dbName: string;
  readonly roles: { owner: string; app: string; backup: string; readonly: string };
  readonly appSecretArn: pulumi.Output<string>;
  readonly appSecretVersionId: pulumi.Output<string>;
  readonly backupSecretArn: pulumi.Output<string>;
  readonly roleSecretVersionIds: pulumi.Output<string>[];
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: TenantDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:data:TenantDatabase", name, {}, opts);
    const child = { parent: this };
    this.dbName = `${args.dbName}_${args.tenant}`;
    this.roles = { owner: `${args.tenant}_migrator`, app: `${args.tenant}_app`, backup: `${args.tenant}_backup`, readonly: `${args.tenant}_readonly` };

    const roleSecret = (role: "app" | "backup") => {
      // Alphanumeric only: the password goes into a URL and a libpq connection string unescaped.
      const password = new random.RandomPassword(`${name}-${role}-password`, { length: 40, special: false }, child);
      const value = pulumi
        .all([args.host, args.port, password.result])
        .apply(([host, port, pw]) => JSON.stringify(connectionParameters({ username: this.roles[role], password: pw, host, port, dbname: this.dbName })));
      // Not protected: deleted at once on destroy, so the same stack can be created again straight away.
      return storedSecret(
        `${name}-${role}`,
        {
          name: `${args.namePrefix}/postgres/${role}`,
          description: `PostgreSQL role ${this.roles[role]} of database ${this.dbName}: connection parameters (JSON) and URL`,
          kmsKeyArn: args.kmsKeyArn,
          value,
          protect: false,
        },
        this,
      );
    };
    const app = roleSecret("app");
    const backup = roleSecret("backup");

    this.address = pulumi.output(args.host);
    this.port = pulumi.output(args.port);
    this.appSecretArn = app.arn;
    this.appSecretVersionId = app.versionId;
    this.backupSecretArn = backup.arn;
    this.roleSecretVersionIds = [app.version.versionId, backup.version.versionId];
    this.kmsKeyArn = pulumi.output(args.kmsKeyArn);
    this.registerOutputs({ appSecretArn: this.appSecretArn, backupSecretArn: this.backupSecretArn });
  }
}

/** `pr-123` -> `pr_123`: a lowercase identifier that fits in PostgreSQL names with a suffix. */
export function tenantOf(stack: string): string {
  return stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
}
