import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface StoredSecretArgs {
  /** Physical name, e.g. `chatbot-prod/postgres/app`. */
  name: string;
  description: string;
  kmsKeyArn: pulumi.Input<string>;
  /** The value; wrapped in pulumi.secret here so it can never reach the state in the clear. */
  value: pulumi.Input<string>;
  /** AWS's 30-day recovery window instead of immediate deletion; with `protectResources`, also protect + retainOnDelete. */
  protect: boolean;
  /** Recovery window in days (7 to 30, or 0), instead of the one `protect` implies (30 or 0). */
  recoveryWindowInDays?: number;
  /**
   * Default true: `protect` also sets protect + retainOnDelete on the secret and retainOnDelete on
   * its version (a generated credential cannot be re-created). false leaves both options unset: a
   * config value or DSN is re-creatable from its source.
   */
  protectResources?: boolean;
}

export interface StoredSecret {
  secret: aws.secretsmanager.Secret;
  version: aws.secretsmanager.SecretVersion;
  /** The secret's ARN, resolved only once the version exists: a task never starts against an empty secret. */
  arn: pulumi.Output<string>;
  /**
   * The current version's id: a new value is a new id. Long-running tasks pin it in their
   * `valueFrom`, so a rotated value is a new task definition revision and the service rolls.
   */
  versionId: pulumi.Output<string>;
}

/**
 * `keepers` of a generated credential: raising `generation` replaces the random value (a rotation
 * on command). Generation 0 sets no keepers at all, so stacks created before rotation existed keep
 * their current values (adding keepers to a random resource replaces it).
 */
export function rotationKeepers(generation: number): { keepers?: Record<string, string> } {
  return generation > 0 ? { keepers: { rotation: String(generation) } } : {};
}

/**
 * A KMS-encrypted Secrets Manager secret and its value. A protected secret keeps AWS's 30-day
 * recovery window; an unprotected one (throwaway preview stack) is deleted at once, so re-creating
 * the same stack does not collide with a name still scheduled for deletion.
 */
export function storedSecret(logicalName: string, args: StoredSecretArgs, parent: pulumi.Resource): StoredSecret {
  const guard = args.protectResources ?? true;
  const secret = new aws.secretsmanager.Secret(
    logicalName,
    { name: args.name, description: args.description, kmsKeyId: args.kmsKeyArn, recoveryWindowInDays: args.recoveryWindowInDays ?? (args.protect ? 30 : 0) },
    guard ? { parent, protect: args.protect, retainOnDelete: args.protect } : { parent },
  );
  const version = new aws.secretsmanager.SecretVersion(
    logicalName,
    {
      secretId: secret.id,
      secretString: pulumi.secret(args.value),
      // Not protected: a new value (rotation) replaces the version. Retained: a destroy must not strip the current value.
    },
    guard ? { parent, retainOnDelete: args.protect } : { parent },
  );
  const arn = pulumi.all([secret.arn, version.id]).apply(([a]) => a);
  return { secret, version, arn, versionId: version.versionId };
}
