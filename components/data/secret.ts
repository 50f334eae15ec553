import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface StoredSecretArgs {
  /** Physical name, e.g. `chatbot-prod/postgres/app`. */
  name: string;
  description: string;
  kmsKeyArn: pulumi.Input<string>;
  /** The value; wrapped in pulumi.secret here so it can never reach the state in the clear. */
  value: pulumi.Input<string>;
  /** protect + retainOnDelete, and AWS's 30-day recovery window instead of immediate deletion. */
  protect: boolean;
}

/**
 * A KMS-encrypted Secrets Manager secret holding a generated credential. A protected secret keeps
 * AWS's 30-day recovery window; an unprotected one (throwaway preview stack) is deleted at once,
 * so re-creating the same stack does not collide with a name still scheduled for deletion.
 */
export function storedSecret(logicalName: string, args: StoredSecretArgs, parent: pulumi.Resource): { secret: aws.secretsmanager.Secret; version: aws.secretsmanager.SecretVersion } {
  const secret = new aws.secretsmanager.Secret(logicalName, {
    name: args.name,
    description: args.description,
    kmsKeyId: args.kmsKeyArn,
    recoveryWindowInDays: args.protect ? 30 : 0,
  }, { parent, protect: args.protect, retainOnDelete: args.protect });
  const version = new aws.secretsmanager.SecretVersion(logicalName, {
    secretId: secret.id,
    secretString: pulumi.secret(args.value),
    // Not protected: a new value (rotation) replaces the version. Retained: a destroy must not strip the current value.
  }, { parent, retainOnDelete: args.protect });
  return { secret, version };
}
