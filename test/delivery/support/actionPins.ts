/**
 * The actions the workflows may use, each at the commit of its newest release tag, checked on
 * 2026-12-01 against the newest snapshot of the action's repository reachable offline (commits
 * up to 2026-08): `git rev-parse <tag>^{commit}`, and `runs.using` of its action.yml at that tag.
 * A newer release may exist since; Dependabot (.github/dependabot.yml) proposes it, and the bump
 * changes this table in the same PR, after the same check.
 */
export interface Pin {
  sha: string;
  tag: string;
  runtime: "node24";
}

export const PINS: Record<string, Pin> = {
  "actions/checkout": { sha: "3d3c42e5aac5ba805825da76410c181273ba90b1", tag: "v7.0.1", runtime: "node24" },
  "actions/setup-node": { sha: "820762786026740c76f36085b0efc47a31fe5020", tag: "v7.0.0", runtime: "node24" },
  "aws-actions/configure-aws-credentials": { sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c", tag: "v6.2.3", runtime: "node24" },
  "pulumi/actions": { sha: "8e5e406f4007fca908480587cb9893c07090f58d", tag: "v7.0.0", runtime: "node24" },
  "pulumi/auth-actions": { sha: "141415910c3beb54e03b48e9057c204c97b956f2", tag: "v2.1.0", runtime: "node24" },
  "marocchino/sticky-pull-request-comment": { sha: "5770ad5eb8f42dd2c4f34da00c94c5381e49af88", tag: "v3.0.5", runtime: "node24" },
};
