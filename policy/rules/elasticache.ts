/** ElastiCache Redis (`aws:elasticache/replicationGroup:ReplicationGroup`), the LLM answer cache. */
import type { Rule } from "./types";
import { isTrue, label } from "./util";

export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

export const elasticacheRules: Rule[] = [
  {
    kind: "resource",
    name: "elasticache-encryption-and-auth",
    description:
      "Cached answers can quote user conversations: Redis encrypts in transit (TLS) and at rest, " +
      "and requires an AUTH token, so a host inside the VPC cannot read it by connecting.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (r.type !== REPLICATION_GROUP) return [];
      const out: string[] = [];
      if (!isTrue(r.inputs.transitEncryptionEnabled)) out.push(`${label(r)}: transitEncryptionEnabled must be true`);
      if (!isTrue(r.inputs.atRestEncryptionEnabled)) out.push(`${label(r)}: atRestEncryptionEnabled must be true`);
      const token = r.inputs.authToken;
      // "[secret]" (offline plan) counts as present: the token is set, and kept secret.
      if (typeof token !== "string" || token === "") out.push(`${label(r)}: authToken must be set`);
      return out;
    },
  },
];
