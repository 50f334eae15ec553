import { bool, str } from "../spec";

/** What ties an app stack to the bootstrap stack of its account (bootstrap/), and its public name. */
export const bootstrapKeys = {
  bootstrapStack: str({
    description:
      "Fully qualified name (org/project/stack) of the account's bootstrap stack (bootstrap/), read with a StackReference: the certificate, hosted zone, secrets-provider key and app image repositories come from its `appStacks` output.",
    pattern: /^[\w.-]+\/[\w.-]+\/[\w.-]+$/,
    allowed: "org/project/stack, e.g. organization/chatbot-bootstrap/main",
  }),
  domainName: str({
    description:
      "Host name of the API (`apiUrl` is https://<domainName>): an alias record to the load balancer in the bootstrap stack's zone. It also picks the bootstrap stack's `appStacks` entry (certificate, secrets key, image repositories): the one whose domainName it is, else the wildcard entry that covers it (pr-<n> stacks).",
    pattern: /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    allowed: "a lowercase DNS name such as staging.chatbot.example.com",
  }),
  wildcardCertificate: bool({
    description:
      "Also attach the bootstrap entry's `*.<domainName>` certificate to the API's HTTPS listener, so pr-<n> previews' host rules answer with TLS (the entry needs `wildcard: true`).",
    default: false,
  }),
};
