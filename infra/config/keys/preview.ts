import { bool, str } from "../spec";

/**
 * The preview tier (issue 20): a `pr-<n>` stack that borrows a long-lived stack's network, data
 * stores and load balancer instead of building its own, and owns only what is per PR.
 */
export const previewKeys = {
  sharedInfraStack: str({
    description:
      "Stack whose VPC, subnets, security groups, RDS instance, Redis, Chroma and HTTPS listener this stack borrows (a StackReference: `staging` or org/project/stack). " +
      "Set, the stack builds no network, database server, cache, vector store, load balancer, WAF or backup bucket: it gets its own PostgreSQL database and roles on the shared instance, a Redis key prefix, a Chroma database and a host name on the shared listener. Empty: the stack builds everything itself.",
    default: "",
    pattern: /^$|^[A-Za-z0-9_.-]+$|^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
    allowed: "empty, a stack name, or org/project/stack",
  }),
  previewDomain: str({
    description:
      "With sharedInfraStack: the domain the API is served under, as `<stack>.<previewDomain>` by a host rule on the shared HTTPS listener (its certificate must cover `*.<previewDomain>`, and a wildcard DNS record must point there). Unused otherwise.",
    default: "",
    pattern: /^$|^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    allowed: "empty or a lowercase DNS name such as staging.chatbot.example",
  }),
  lendsToPreviews: bool({
    description:
      "This stack lends its infrastructure to preview stacks (their sharedInfraStack names it): its Chroma also admits the jobs security group on its API port, so a preview's db-init can create and, on destroy, drop the preview's Chroma database. False: only the app group reaches Chroma.",
    default: false,
  }),
};
