import { bool, oneOf, str } from "../spec";

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const generalKeys = {
  tier: oneOf(["production", "staging", "preview"] as const, {
    description: "What the stack is for. Decides which credentials are acceptable (live vs test) and which policy rules apply; sizes are separate keys.",
  }),
  region: str({
    description: "AWS region of every resource.",
    default: "eu-central-1",
    pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
    allowed: "an AWS region such as eu-central-1",
  }),
  alertEmail: str({ description: "E-mail address subscribed to the alert SNS topic.", format: "email", allowed: "an e-mail address" }),
  protectStatefulResources: bool({
    description:
      "Mark databases, file systems, buckets and keys `protect` + `retainOnDelete`, so neither a mistaken destroy nor a replace loses data. Off only for throwaway preview stacks.",
    default: true,
  }),
  compareSecretsWithStack: str({
    description: "Fully qualified name (org/project/stack) of a stack whose secret fingerprints must all differ from this stack's; empty turns the guard off.",
    default: "",
    pattern: /^$|^[\w.-]+\/[\w.-]+\/[\w.-]+$/,
    allowed: "empty or org/project/stack",
  }),
};
