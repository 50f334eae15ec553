import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./config";

/**
 * One AWS provider per part: its default tags put `project`, `stack`, `part` and `managed-by`
 * on every taggable resource of that part without each resource repeating them. Each part's
 * provider is declared once however often the part is asked for: a second provider of the same
 * name would be a duplicate URN, which the engine refuses.
 *
 * `ready` (preview tier: the lender's outputs are all there) holds back every provider, and so
 * every AWS resource, until it resolves: a lender that is not deployed fails the `up` before
 * anything is created in AWS.
 */
export function partOptions(cfg: StackConfig, ready?: pulumi.Output<unknown>): (part: string) => pulumi.ComponentResourceOptions {
  const providers = new Map<string, aws.Provider>();
  return (part) => {
    let provider = providers.get(part);
    if (!provider) {
      provider = new aws.Provider(`aws-${part}`, {
        region: ready ? ready.apply(() => cfg.region as aws.Region) : (cfg.region as aws.Region),
        defaultTags: { tags: { project: cfg.project, stack: cfg.stack, part, "managed-by": "pulumi" } },
      });
      providers.set(part, provider);
    }
    return { providers: { aws: provider } };
  };
}
