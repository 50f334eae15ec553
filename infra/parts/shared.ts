/**
 * The preview tier's view of the stack it borrows from (config `sharedInfraStack`): that stack's
 * outputs, read once with a StackReference. The names below are the contract: the lending stack
 * exports each (infra/index.ts), and a borrower whose lender lacks one stops with one line that
 * says which and what to do, instead of a resource failing halfway through an `up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config";

/** Outputs of the lending stack the preview tier reads, all plain (none is a secret). */
export const SHARED_OUTPUTS = [
  "vpcId",
  "privateSubnetIds",
  "publicSubnetIds",
  "appSecurityGroupId",
  "jobsSecurityGroupId",
  "postgresAddress",
  "postgresPort",
  "postgresMasterSecretArn",
  "dataKmsKeyArn",
  "redisUrlSecretArn",
  "chromaUrl",
  "chromaTokenSecretArn",
  "albHttpsListenerArn",
  "albArnSuffix",
  "wafLogGroupName",
] as const;
export type SharedOutputName = (typeof SHARED_OUTPUTS)[number];

/** The one-line refusal when the lending stack is not (fully) deployed; tools/preview-stack says the same before an `up`. */
export function missingOutputsMessage(stack: string, lender: string, missing: string[]): string {
  return (
    `preview tier: stack ${lender} exports no ${missing.join(", ")}, so ${stack} cannot borrow its infrastructure: ` +
    `deploy ${lender} first (pulumi up --stack ${lender}), or set sharedInfraStack to "" to build everything`
  );
}

/** The SHARED_OUTPUTS a lender's outputs lack (absent, null or empty), in contract order. */
export function missingSharedOutputs(outputs: Record<string, unknown>): string[] {
  return SHARED_OUTPUTS.filter((k) => outputs[k] === undefined || outputs[k] === null || outputs[k] === "");
}

/**
 * A RunError whose message stays as written: the SDK prefixes `error serializing property "x": `
 * to the message of an error it meets in each input it serializes, on the same object (it
 * reports an error object once). Every input that waits for the check meets this one error.
 */
export function oneLineError(message: string): pulumi.RunError {
  const err = new pulumi.RunError(message);
  Object.defineProperty(err, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: false });
  return err;
}

export interface SharedInfra {
  /** The lending stack as config names it. */
  stack: string;
  /** Resolves once every output is there; fails the deployment with one line otherwise. */
  ready: pulumi.Output<true>;
  get(name: Exclude<SharedOutputName, "privateSubnetIds" | "publicSubnetIds" | "postgresPort">): pulumi.Output<string>;
  subnets(name: "privateSubnetIds" | "publicSubnetIds"): pulumi.Output<string[]>;
  postgresPort: pulumi.Output<number>;
}

/** Undefined unless the stack is of the preview tier's shape (sharedInfraStack set; validated with tier and previewDomain). */
export function sharedInfraPart(cfg: StackConfig): SharedInfra | undefined {
  if (!cfg.sharedInfraStack) return undefined;
  const ref = new pulumi.StackReference(`shared-infra-${cfg.sharedInfraStack}`, { name: cfg.sharedInfraStack });
  // One check over every output, unsecreted (the lender also exports secrets, which would taint it).
  // Every value below and every provider (infra/providers.ts) waits for it, so a missing output
  // fails the deployment before anything is created, with one error reported once (oneLineError).
  const complete = pulumi.unsecret(
    ref.outputs.apply((all) => {
      const missing = missingSharedOutputs(all);
      if (missing.length > 0) throw oneLineError(missingOutputsMessage(cfg.stack, cfg.sharedInfraStack, missing));
      return true as const;
    }),
  );
  const checked = <T>(name: SharedOutputName) => pulumi.all([complete, ref.getOutput(name)]).apply(([, v]) => v as T);
  return {
    stack: cfg.sharedInfraStack,
    ready: complete,
    get: (name) => checked<string>(name),
    subnets: (name) => checked<string[]>(name),
    postgresPort: checked<number>("postgresPort"),
  };
}
