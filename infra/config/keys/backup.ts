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
  backupScheduleTimezone: str({
    description: "IANA time zone of the schedules.",
    default: "UTC",
    pattern: /^(UTC|[A-Z][A-Za-z_]+\/[A-Za-z_+\-/]+)$/,
    allowed: "UTC or an IANA zone such as Europe/Berlin",
  }),
  backupRetentionDays: int({ description: "Days a backup is kept (bucket lifecycle expiry).", default: 30, min: 1, max: 3650 }),
  backupNoncurrentVersionDays: int({ description: "Days an overwritten or deleted object version is kept.", default: 7, min: 1, max: 365 }),
  backupObjectLock: oneOf(["off", "GOVERNANCE", "COMPLIANCE"] as const, {
    description: "S3 object lock mode of the backup bucket; COMPLIANCE cannot be lifted even by root.",
    default: "GOVERNANCE",
  }),
  backupObjectLockDays: int({ description: "Days each backup is locked against deletion; must be <= backupRetentionDays.", default: 30, min: 1, max: 3650 }),
  backupForceDestroy: bool({ description: "Let `pulumi destroy` empty the bucket. Only for preview stacks.", default: false }),
  backupDeadlineMinutes: int({
    description:
      "Bound on one run of any backup-job command (BACKUP_DEADLINE_SECONDS): when it passes, the run fails naming the step that hung. Sentry's max runtime is set 10 minutes above it, so the job's own line comes first.",
    default: 110,
    min: 10,
    max: 1430,
  }),
  backupVerifyMaxAgeHours: int({
    description:
      "`--max-age` of the scheduled verify and restore drill: a latest complete backup older than this fails them, so stale backups alarm even when every run that happens succeeds.",
    default: 26,
    min: 1,
    max: 8760,
  }),
  backupMinRows: int({
    description: "A backup whose tables hold fewer rows in total fails plausibility (BACKUP_MIN_ROWS): an empty or wrong database.",
    default: 1,
    min: 0,
    max: 1_000_000_000,
  }),
  backupMaxShrinkPercent: int({
    description:
      "A backup with this many percent fewer rows, or a smaller dump, than the previous complete one fails plausibility (BACKUP_MAX_SHRINK_PERCENT).",
    default: 50,
    min: 1,
    max: 100,
  }),
  backupDrillSchedule: str({
    description: "When the restore drill runs: the latest backup restored into a scratch database on the stack's own instance, compared, timed, dropped.",
    default: "cron(0 5 ? * MON *)",
    ...schedule,
  }),
  backupDrillMaxDays: int({
    description:
      "Days without a successful restore drill before its alarm fires; at least the drill's interval. CloudWatch evaluates an alarm over at most 7 days.",
    default: 7,
    min: 1,
    max: 7,
  }),
  backupReplicaRegion: str({
    description: "Second region the backup bucket replicates to (a bucket with its own KMS key and object lock there); empty: no replica.",
    default: "",
    pattern: /^$|^[a-z]{2}(-[a-z]+)+-\d$/,
    allowed: "empty, or an AWS region such as eu-west-1 other than `region`",
  }),
  backupEphemeralStorageGb: int({
    description:
      "Task disk of the backup job (GiB): `verify` downloads a whole backup and `backup` stages the Chroma copy there; keep it above the largest backup.",
    default: 50,
    min: 21,
    max: 200,
  }),
};
