import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface KmsKeyArgs {
  /** `<project>-<stack>-<part>`; the alias is `alias/<name>`. */
  name: string;
  description: string;
  /** Key policy JSON; omitted, the account's IAM policies govern the key (AWS's default policy). */
  policy?: pulumi.Input<string>;
}

/** A customer-managed key with yearly rotation and an alias; every part that encrypts uses one. */
export function kmsKey(logicalName: string, args: KmsKeyArgs, opts: pulumi.CustomResourceOptions): aws.kms.Key {
  const key = new aws.kms.Key(
    logicalName,
    {
      description: args.description,
      enableKeyRotation: true,
      // The longest wait AWS allows: a key scheduled for deletion by mistake can still be recovered.
      deletionWindowInDays: 30,
      policy: args.policy,
    },
    opts,
  );
  new aws.kms.Alias(logicalName, { name: `alias/${args.name}`, targetKeyId: key.keyId }, { ...opts, protect: false, retainOnDelete: false });
  return key;
}
