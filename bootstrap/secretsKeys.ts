import * as pulumi from "@pulumi/pulumi";
import { kmsKey } from "../components/shared/kmsKey";

export interface SecretsKeysArgs {
  /** `<appProject>`; each key's alias is `alias/<appProject>-<entry>-pulumi-secrets`. */
  appProject: string;
  region: string;
  entries: string[];
}

/**
 * One KMS key per app-stack entry for Pulumi's secrets provider (`awskms://`): the stack file's
 * `encryptedkey` is a data key encrypted with it, so a stack's secrets open only for whoever may
 * use that key (its GitHub role, and the account's administrators). Staging and prod never share one.
 */
export class SecretsKeys extends pulumi.ComponentResource {
  readonly keyArns: Record<string, pulumi.Output<string>> = {};
  /** The `secretsprovider:` line of each entry's stack file. */
  readonly providers: Record<string, string> = {};

  constructor(name: string, args: SecretsKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:bootstrap:SecretsKeys", name, {}, opts);
    for (const entry of args.entries) {
      const alias = `${args.appProject}-${entry}-pulumi-secrets`;
      // Losing this key loses every secret in the stack file: never deleted with the stack.
      const key = kmsKey(
        `${entry}-secrets`,
        { name: alias, description: `Pulumi secrets provider of the ${args.appProject} ${entry} stack(s)` },
        { parent: this, protect: true, retainOnDelete: true },
      );
      this.keyArns[entry] = key.arn;
      this.providers[entry] = `awskms://alias/${alias}?region=${args.region}`;
    }
    this.registerOutputs({ keyArns: this.keyArns });
  }
}
