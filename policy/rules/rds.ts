/** RDS PostgreSQL (`aws:rds/instance:Instance`). */
import type { Rule } from "./types";
import { isTrue, label } from "./util";

export const RDS_INSTANCE = "aws:rds/instance:Instance";
/** Days; the shortest window that still covers a week-end incident found on Monday. */
export const MIN_BACKUP_RETENTION_DAYS = 7;

export const rdsRules: Rule[] = [
  {
    kind: "resource",
    name: "rds-secure-instance",
    description:
      "The database holds user data: storage encrypted, never publicly reachable, IAM " +
      `authentication on, and at least ${MIN_BACKUP_RETENTION_DAYS} days of automated backups so ` +
      "point-in-time recovery covers a week.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (r.type !== RDS_INSTANCE) return [];
      const i = r.inputs;
      const out: string[] = [];
      if (!isTrue(i.storageEncrypted)) out.push(`${label(r)}: storageEncrypted must be true`);
      if (isTrue(i.publiclyAccessible)) out.push(`${label(r)}: publiclyAccessible must be false`);
      const retention = Number(i.backupRetentionPeriod);
      if (!(retention >= MIN_BACKUP_RETENTION_DAYS)) {
        out.push(`${label(r)}: backupRetentionPeriod must be >= ${MIN_BACKUP_RETENTION_DAYS} (is ${i.backupRetentionPeriod ?? "unset"})`);
      }
      if (!isTrue(i.iamDatabaseAuthenticationEnabled)) {
        out.push(`${label(r)}: iamDatabaseAuthenticationEnabled must be true`);
      }
      return out;
    },
  },
  {
    kind: "resource",
    name: "rds-production-resilience",
    description:
      "In a production-tier stack the database survives an AZ outage (multiAz) and cannot be " +
      "deleted by a mistaken `pulumi up`/`destroy` (deletionProtection). Staging and preview " +
      "stacks may skip both to save cost and allow teardown.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (r.type !== RDS_INSTANCE || r.stackTier !== "production") return [];
      const out: string[] = [];
      if (!isTrue(r.inputs.deletionProtection)) {
        out.push(`${label(r)}: deletionProtection must be true in a production stack`);
      }
      if (!isTrue(r.inputs.multiAz)) out.push(`${label(r)}: multiAz must be true in a production stack`);
      return out;
    },
  },
];
