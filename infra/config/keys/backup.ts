import { scheduleProblem } from "../../../components/backup/scheduleExpression";
import { bool, int, oneOf, str } from "../spec";

/** EventBridge Scheduler's recurring expressions; the shape here, every field rule in scheduleProblem. */
export const SCHEDULE = /^(cron|rate)\(.*\)$/;
const scheduleAllowed =
  "an EventBridge Scheduler expression: cron(min hour day-of-month month day-of-week year) with ? in exactly one day field, or rate(N unit)";
const schedule = { pattern: SCHEDULE, allowed: scheduleAllowed, check: scheduleProblem };

export const backupKeys = {
  backupEnabled: bool({ description: "Run the scheduled backup and weekly verify.", default: true }),
  backupSchedule: str({ description: "When the daily backup runs.", default: "cron(0 2 * * ? *)", ...schedule }),
  backupVerifySchedule: str({ description: "When the weekly verify of the latest backup runs.", default: "cron(0 4 ? * SUN *)", ...schedule }),
  backupScheduleTimezone: str({ description: "IANA time zone of the schedules.", default: "UTC", pattern: /^(UTC|[A-Z][A-Za-z_]+\/[A-Za-z_+\-/]+)$/, allowed: "UTC or an IANA zone such as Europe/Berlin" }),
  backupRetentionDays: int({ description: "Days a backup is kept (bucket lifecycle expiry).", default: 30, min: 1, max: 3650 }),
  backupNoncurrentVersionDays: int({ description: "Days an overwritten or deleted object version is kept.", default: 7, min: 1, max: 365 }),
  backupObjectLock: oneOf(["off", "GOVERNANCE", "COMPLIANCE"] as const, {
    description: "S3 object lock mode of the backup bucket; COMPLIANCE cannot be lifted even by root.", default: "GOVERNANCE",
  }),
  backupObjectLockDays: int({ description: "Days each backup is locked against deletion; must be <= backupRetentionDays.", default: 30, min: 1, max: 3650 }),
  backupForceDestroy: bool({ description: "Let `pulumi destroy` empty the bucket. Only for preview stacks.", default: false }),
  backupEphemeralStorageGb: int({
    description: "Task disk of the backup job (GiB): `verify` downloads a whole backup and `backup` stages the Chroma copy there; keep it above the largest backup.",
    default: 50, min: 21, max: 200,
  }),
};
