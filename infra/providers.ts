import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./config";

/**
 * One AWS provider per part: its default tags put `project`, `stack`, `part` and `managed-by`
 * on every taggable resource of that part without each resource repeating them. Each part's
 * provider is declared once however often the part is asked for: a second provider of the same
 * name would be a duplicate URN, which the engine refuses.
 *
 * `ready` holds the providers back: their region resolves only once it does (the bootstrap
 * stack's outputs checked), so a failed check fails the program before any AWS resource exists.
 */
export function partOptions(cfg: StackConfig, ready: pulumi.Output<unknown>): (part: string) => pulumi.ComponentResourceOptions {
  const providers = new Map<string, aws.Provider>();
  return (part) => {
    let provider = providers.get(part);
    if (!provider) {
      provider = partProvider(
        `aws-${part}`,
        cfg,
        part,
        ready.apply(() => cfg.region),
      );
      providers.set(part, provider);
    }
    return { providers: { aws: provider } };
  };
}

/** An AWS provider in `region` whose default tags mark its resources as the part's (a part's second region uses one too). */
export function partProvider(name: string, cfg: StackConfig, part: string, region: pulumi.Input<string>): aws.Provider {
  return new aws.Provider(name, {
    region: pulumi.output(region).apply((r) => r as aws.Region),
    defaultTags: { tags: { project: cfg.project, stack: cfg.stack, part, "managed-by": "pulumi" } },
  });
}
