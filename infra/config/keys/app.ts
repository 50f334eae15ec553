import { bool, int, intOneOf, list, str } from "../spec";
import { LOG_RETENTION_DAYS } from "./general";

/**
 * `build:<context>[#<dockerfile>]` builds and pushes; a digest-pinned URI skips the build;
 * `sha256:<digest>` is that digest in the image's own repository (no account in the stack file).
 */
const IMAGE = /^(build:[\w./-]+(#[\w./-]+)?|[\w.\-/:]+@sha256:[0-9a-f]{64}|sha256:[0-9a-f]{64})$/;
const imageAllowed = "`build:<context dir>[#<Dockerfile path>]`, `sha256:<digest>` (in the image's ECR repository) or an image URI pinned by @sha256 digest";
/** An app image may also be empty: not released yet, so its service runs no task (first deploy). */
const APP_IMAGE = new RegExp(`^$|${IMAGE.source}`);
const FARGATE_CPU = [256, 512, 1024, 2048, 4096] as const;

function image(description: string, dflt?: string) {
  return str({ description, default: dflt, pattern: IMAGE, allowed: imageAllowed });
}

function appImage(description: string) {
  return str({
    description: `${description} Empty: not released yet; the service is created with no task until a digest is set.`,
    default: "",
    pattern: APP_IMAGE,
    allowed: `empty or ${imageAllowed}`,
  });
}

function sizing(label: string, d: { cpu: number; memory: number }) {
  return {
    cpu: intOneOf(FARGATE_CPU, { description: `${label} task CPU units (Fargate).`, default: d.cpu }),
    memory: int({ description: `${label} task memory (MiB); must be valid for the CPU size.`, default: d.memory, min: 512, max: 30720 }),
  };
}

function service(label: string, d: { cpu: number; memory: number; min: number; max: number }) {
  return {
    ...sizing(label, d),
    minCount: int({ description: `${label} tasks kept running at least (autoscaling floor, desired count at deploy).`, default: d.min, min: 1, max: 100 }),
    maxCount: int({ description: `${label} autoscaling ceiling; must be >= the floor.`, default: d.max, min: 1, max: 100 }),
  };
}

const api = service("API", { cpu: 512, memory: 1024, min: 2, max: 6 });
// No task counts: a bot always runs exactly one task (SINGLE_CONSUMER_TASKS in components/containers/service.ts).
const telegram = sizing("Telegram bot", { cpu: 256, memory: 512 });
const discord = sizing("Discord bot", { cpu: 256, memory: 512 });

export const appKeys = {
  apiImage: appImage("API backend image, in the bootstrap stack's `api` repository."),
  telegramBotImage: appImage("Telegram bot worker image, in the bootstrap stack's `telegramBot` repository."),
  discordBotImage: appImage("Discord bot worker image, in the bootstrap stack's `discordBot` repository."),
  backupJobImage: image("Backup/restore job image (built from this repository by default).", "build:.#jobs/backup/Dockerfile"),
  dbInitImage: image("Database bootstrap job image (built from this repository by default).", "build:.#jobs/db-init/Dockerfile"),
  ecrKeepImages: int({ description: "Images each ECR repository keeps; older ones expire.", default: 20, min: 1, max: 1000 }),
  apiCpu: api.cpu,
  apiMemory: api.memory,
  apiMinCount: api.minCount,
  apiMaxCount: api.maxCount,
  apiCpuTargetPercent: int({ description: "Average CPU the API's autoscaling aims for.", default: 60, min: 10, max: 90 }),
  apiRequestsPerTarget: int({ description: "ALB requests per target per minute the API's autoscaling aims for.", default: 1000, min: 1 }),
  telegramBotEnabled: bool({ description: "Run the Telegram bot worker.", default: true }),
  telegramBotCpu: telegram.cpu,
  telegramBotMemory: telegram.memory,
  discordBotEnabled: bool({ description: "Run the Discord bot worker.", default: true }),
  discordBotCpu: discord.cpu,
  discordBotMemory: discord.memory,
  botCpuTargetPercent: int({ description: "Average CPU the Telegram and Discord bots' autoscaling aims for.", default: 60, min: 10, max: 90 }),
  appLogRetentionDays: intOneOf(LOG_RETENTION_DAYS, { description: "Days container logs are kept in CloudWatch.", default: 30 }),
  albDeletionProtection: bool({ description: "The load balancer refuses deletion until this is turned off.", default: true }),
  albDeregistrationDelaySeconds: int({ description: "Seconds an old task drains before it stops; short keeps releases fast.", default: 30, min: 0, max: 3600 }),
  albAccessLogRetentionDays: int({ description: "Days ALB access logs are kept in their bucket.", default: 90, min: 1 }),
  wafRateLimitPer5Min: int({ description: "Requests one IP may make in 5 minutes before WAF blocks it (all paths).", default: 2000, min: 10, max: 2000000000 }),
  wafPathRateLimits: list({
    description: "Stricter per-path limits, `<path prefix>=<requests per 5 minutes per IP>`.",
    default: ["/api/chat=300", "/api/auth=100"],
    item: { pattern: "^/[\\w\\-/.]*=\\d+$" },
    itemAllowed: "`/path=limit` entries",
    maxItems: 8,
  }),
  wafClientKeyHeader: str({
    description:
      "Request header that identifies a client (API key, user id): WAF also limits requests per value of it, so one client behind many IPs, or many behind one NAT, is limited fairly. Empty: per IP only.",
    default: "authorization",
    pattern: /^$|^[a-z0-9-]+$/,
    allowed: "empty or a lower-case header name",
  }),
  wafClientRateLimitPer5Min: int({
    description: "Requests one client (one wafClientKeyHeader value) may make in 5 minutes before WAF blocks it.",
    default: 1000,
    min: 10,
    max: 2000000000,
  }),
  wafLargeBodyPaths: list({
    description:
      "Path prefixes exempt from the common rule set's 8 KB body limit (SizeRestrictions_BODY), e.g. chat messages with context. An ALB's WAF inspects only the first 8 KB of a body, so it cannot enforce a larger limit: the app must cap these paths' bodies.",
    default: ["/api/chat"],
    item: { pattern: "^/[\\w\\-/.]*$" },
    itemAllowed: "path prefixes",
    maxItems: 5,
  }),
};
