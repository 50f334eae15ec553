import * as pulumi from "@pulumi/pulumi";

/**
 * A Secrets Manager secret a container reads: ECS injects it as an environment variable when the
 * task starts (`secrets`), so its value is never in a task definition, an env var list or a log.
 */
export interface ContainerSecret {
  /** ARN of the secret (not secret itself: the value never passes through the task definition). */
  secretArn: pulumi.Input<string>;
  /** Key to read from a JSON secret (ECS `valueFrom` `<arn>:<jsonKey>::`); unset, the whole value. */
  jsonKey?: string;
  /**
   * KMS key that encrypts the secret: the execution role may decrypt with it, through Secrets
   * Manager and for this secret only. Unset (key owned elsewhere), decryption is still limited to
   * Secrets Manager reading exactly these secrets (encryption context `SecretARN`), on any key.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Secrets Manager version to read. Set, a new value (a new version) changes the task definition,
   * so exactly the tasks that read the secret roll onto it; unset, ECS reads AWSCURRENT when a
   * task starts, and running tasks keep the old value until they happen to restart.
   */
  versionId?: pulumi.Input<string>;
}

/** Env var name -> secret; an undefined entry (a secret another part has not provided) is skipped. */
export type ContainerSecrets = Record<string, ContainerSecret | undefined>;

/**
 * ECS `valueFrom` of a Secrets Manager secret: `<arn>:<json key>:<version stage>:<version id>`;
 * with a version id the stage stays empty (ECS takes one or the other).
 */
export function secretValueFrom(secretArn: string, jsonKey?: string, versionId?: string): string {
  if (versionId) return `${secretArn}:${jsonKey ?? ""}::${versionId}`;
  return jsonKey ? `${secretArn}:${jsonKey}::` : secretArn;
}

/** The secret ARN in a `valueFrom` (drops `:<json key>:<stage>:<version id>` if present). */
export function secretArnOfValueFrom(valueFrom: string): string {
  const f = valueFrom.split(":");
  return f[5] === "secret" ? f.slice(0, 7).join(":") : f.length > 6 ? f.slice(0, f.length - 3).join(":") : valueFrom;
}

/** The defined secrets, sorted by env var name (code point order: the same on every machine's locale). */
export function definedSecrets(secrets: ContainerSecrets): [string, ContainerSecret][] {
  return Object.entries(secrets)
    .filter((e): e is [string, ContainerSecret] => e[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The container's `secrets` entries: `{ name, valueFrom }` in env var name order. */
export function secretEntries(secrets: [string, ContainerSecret][]): pulumi.Output<{ name: string; valueFrom: string }[]> {
  return pulumi.all(
    secrets.map(([name, s]) =>
      pulumi.all([s.secretArn, s.versionId]).apply(([arn, versionId]) => ({ name, valueFrom: secretValueFrom(arn, s.jsonKey, versionId) })),
    ),
  );
}
