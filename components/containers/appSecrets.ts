import * as pulumi from "@pulumi/pulumi";
import { ContainerSecret } from "../shared/containerSecret";
import { kmsKey } from "../shared/kmsKey";
import { storedSecret } from "../shared/storedSecret";

/** Config secrets the containers read. */
export type AppSecretName = "telegramBotToken" | "discordBotToken" | "appSecretKey" | "stripeApiKey" | "llmApiKey";

export interface AppSecretsArgs {
  /** `<project>-<stack>`; secrets are `<namePrefix>/app/<kebab-case name>` (like the data tier's). */
  namePrefix: string;
  /** The secret config values to store, each a secret Output; only the ones a running service uses. */
  values: Partial<Record<AppSecretName, pulumi.Output<string>>>;
  /** Days a deleted secret can still be restored (7 to 30), or 0: deleted at once, so a re-created stack can reuse the name. */
  recoveryWindowInDays: number;
  /** `protect` + `retainOnDelete` on the KMS key (the secrets hold config values, re-creatable from config). */
  protect: boolean;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Secrets Manager copies of the config secrets the containers use, under an app KMS key: ECS
 * injects them as `secrets`, so no value is ever in a task definition, env var or log.
 */
export class AppSecrets extends pulumi.ComponentResource {
  /** Each with its key and current version: services pin it, so a new config value rolls exactly the services that read it. */
  readonly secrets: Partial<Record<AppSecretName, ContainerSecret>>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:AppSecrets", name, {}, opts);
    const child = { parent: this };
    const key = kmsKey(
      `${name}-key`,
      { name: `${args.namePrefix}-app-secrets`, description: `Application secrets of ${args.namePrefix}` },
      { ...child, protect: args.protect, retainOnDelete: args.protect },
    );

    const secrets: Partial<Record<AppSecretName, ContainerSecret>> = {};
    for (const [secretName, value] of Object.entries(args.values) as [AppSecretName, pulumi.Output<string>][]) {
      // Config values, re-creatable from config: the secret and its version are not protected.
      const { arn, versionId } = storedSecret(
        `${name}-${kebab(secretName)}`,
        {
          name: `${args.namePrefix}/app/${kebab(secretName)}`,
          description: `${secretName} of ${args.namePrefix} (from stack config)`,
          kmsKeyArn: key.arn,
          value,
          protect: args.protect,
          recoveryWindowInDays: args.recoveryWindowInDays,
          protectResources: false,
        },
        this,
      );
      secrets[secretName] = { secretArn: arn, kmsKeyArn: key.arn, versionId };
    }
    this.secrets = secrets;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({ kmsKeyArn: this.kmsKeyArn });
  }
}
