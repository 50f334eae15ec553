import * as aws from "@pulumi/aws";
import { StackConfig } from "./config";

/**
 * One AWS provider per part: its default tags put `project`, `stack`, `part` and `managed-by`
 * on every taggable resource of that part without each resource repeating them.
 */
export function awsProviderFor(cfg: StackConfig, part: string): aws.Provider {
  return new aws.Provider(`aws-${part}`, {
    region: cfg.region as aws.Region,
    defaultTags: { tags: { project: cfg.project, stack: cfg.stack, part, "managed-by": "pulumi" } },
  });
}
