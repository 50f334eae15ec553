/**
 * The secret-sharing guard: a stack exports a fingerprint of each of its config secrets, and a
 * stack whose config names another stack (compareSecretsWithStack) refuses to deploy while any of
 * its secrets has the same value there (a staging bot token or Stripe key in prod, or the reverse).
 */
import * as pulumi from "@pulumi/pulumi";
import { FINGERPRINTS_OUTPUT, fingerprint } from "./fingerprints";

export type Fingerprints = Record<string, string>;

export interface SecretGuardArgs {
  project: string;
  stack: string;
  /** The stack's config secrets by key (without the `<project>:` namespace). */
  secrets: Record<string, pulumi.Output<string>>;
  /** `org/project/stack` whose fingerprints must all differ; empty turns the comparison off. */
  compareWithStack: string;
}

/** `{ key: sha256(value) }` for every secret, itself secret. */
export function secretFingerprints(secrets: Record<string, pulumi.Output<string>>): pulumi.Output<Fingerprints> {
  const keys = Object.keys(secrets).sort();
  return pulumi.secret(pulumi.all(keys.map((k) => secrets[k])).apply((values) => Object.fromEntries(keys.map((k, i) => [k, fingerprint(values[i])]))));
}

/** The keys both stacks hold with the same value. */
export function sharedSecrets(own: Fingerprints, other: Fingerprints): string[] {
  return Object.keys(own)
    .filter((k) => other[k] !== undefined && other[k] === own[k])
    .sort();
}

export function sharingMessage(project: string, stack: string, otherStack: string, keys: string[]): string {
  return (
    `secret sharing: ${keys.map((k) => `${project}:${k} has the same value in ${stack} and ${otherStack}`).join("; ")}. ` +
    `Give each stack its own credentials: \`pulumi config set --secret ${project}:<key> <value> --stack ${stack}\`.`
  );
}

/**
 * The stack's fingerprints output, which resolves only when the comparison passes: exported under
 * FINGERPRINTS_OUTPUT, its rejection fails `pulumi preview` and `pulumi up` with the message.
 *
 * A compared stack that exports no fingerprints (not deployed since the guard exists) fails too:
 * a guard that passes because it could not look is no guard. Deploy that stack first, or turn
 * the comparison off for this run by setting compareSecretsWithStack to "".
 */
export function secretGuard(args: SecretGuardArgs): pulumi.Output<Fingerprints> {
  const own = secretFingerprints(args.secrets);
  if (!args.compareWithStack) return own;
  const other = new pulumi.StackReference(`secret-guard-${args.compareWithStack}`, { name: args.compareWithStack }).getOutput(
    FINGERPRINTS_OUTPUT,
  ) as pulumi.Output<Fingerprints | undefined>;
  return pulumi.secret(
    pulumi.all([own, other]).apply(([mine, theirs]) => {
      if (!theirs || typeof theirs !== "object") {
        throw new pulumi.RunError(
          `secret sharing: ${args.compareWithStack} exports no "${FINGERPRINTS_OUTPUT}" output, so ${args.stack}'s secrets cannot be compared with it. ` +
            `Deploy ${args.compareWithStack} first (it exports its fingerprints), or set ${args.project}:compareSecretsWithStack to "" to skip the check.`,
        );
      }
      const shared = sharedSecrets(mine, theirs);
      if (shared.length > 0) throw new pulumi.RunError(sharingMessage(args.project, args.stack, args.compareWithStack, shared));
      return mine;
    }),
  );
}
