import type { ConfigIssue } from "./validate";
import { ROTATABLE_CREDENTIALS } from "./keys/operations";

/** Fargate's valid memory sizes (MiB) for each CPU size. */
const FARGATE_MEMORY: Record<number, [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

function fargate(v: Record<string, any>, svc: string): ConfigIssue[] {
  const cpu = v[`${svc}Cpu`];
  const mem = v[`${svc}Memory`];
  const range = FARGATE_MEMORY[cpu];
  if (!range) return [];
  const [lo, hi, step] = range;
  if (mem >= lo && mem <= hi && (mem - lo) % step === 0) return [];
  return [{ key: `${svc}Memory`, value: String(mem), problem: `with ${svc}Cpu=${cpu} Fargate allows ${lo} to ${hi} MiB in steps of ${step}` }];
}

function atMost(v: Record<string, any>, low: string, high: string, why: string): ConfigIssue[] {
  return v[low] <= v[high] ? [] : [{ key: low, value: String(v[low]), problem: `must be <= ${high} (${v[high]}): ${why}` }];
}

/** Rules that relate two or more keys; run only once every key is valid on its own. */
export function crossKeyIssues(v: Record<string, any>): ConfigIssue[] {
  const issues: ConfigIssue[] = [
    ...atMost(v, "dbAllocatedStorageGb", "dbMaxAllocatedStorageGb", "autoscaling cannot shrink storage"),
    ...atMost(v, "apiMinCount", "apiMaxCount", "autoscaling floor above its ceiling"),
    ...["api", "telegramBot", "discordBot", "chroma"].flatMap((s) => fargate(v, s)),
  ];
  if (v.backupObjectLock !== "off") {
    issues.push(...atMost(v, "backupObjectLockDays", "backupRetentionDays", "the lifecycle cannot expire a locked backup"));
  }
  if (v.backupReplicaRegion && v.backupReplicaRegion === v.region) {
    issues.push({
      key: "backupReplicaRegion",
      value: v.backupReplicaRegion,
      problem: "must differ from region: a replica in the same region survives no regional outage",
    });
  }
  if (v.sentryAlertIntegrationId && !v.sentryAlertSlackChannel) {
    issues.push({ key: "sentryAlertSlackChannel", value: "", problem: "required when sentryAlertIntegrationId is set: Slack needs a channel to post to" });
  }
  if (v.sentryPreviewKeys && v.sentryShareProjectsOf) {
    issues.push({
      key: "sentryPreviewKeys",
      value: "true",
      problem: `must be false with sentryShareProjectsOf (${v.sentryShareProjectsOf}): a stack that shares projects creates no keys; set it on ${v.sentryShareProjectsOf}'s stack`,
    });
  }
  for (const entry of v.credentialRotation ?? []) {
    const name = String(entry).split("=")[0];
    if (!(ROTATABLE_CREDENTIALS as readonly string[]).includes(name)) {
      issues.push({
        key: "credentialRotation",
        value: JSON.stringify(v.credentialRotation),
        problem: `unknown credential "${name}": rotatable are ${ROTATABLE_CREDENTIALS.join(", ")} (config secrets rotate with \`pulumi config set --secret\`)`,
      });
    }
  }
  if (v.budgetMonthlyUsd > 0 && (v.budgetAlertEmails ?? []).length === 0) {
    issues.push({
      key: "budgetAlertEmails",
      value: "[]",
      problem: `required when budgetMonthlyUsd is set (${v.budgetMonthlyUsd}): a budget nobody hears about alerts no one`,
    });
  }
  issues.push(...previewTierIssues(v));
  const stripeLive = /^(sk|rk)_live_/.test(v.stripeApiKey);
  if (v.tier === "production" && !stripeLive) {
    issues.push({ key: "stripeApiKey", value: "[secret]", problem: "a production stack needs a live key (sk_live_/rk_live_), not a test key" });
  } else if (v.tier !== "production" && stripeLive) {
    issues.push({
      key: "stripeApiKey",
      value: "[secret]",
      problem: `a ${v.tier} stack must use a test key (sk_test_/rk_test_): live keys belong to production only`,
    });
  }
  return issues;
}

/** The preview tier borrows a long-lived stack's infrastructure: only a preview may, with a host for its API and no bots. */
function previewTierIssues(v: Record<string, any>): ConfigIssue[] {
  if (!v.sharedInfraStack) return [];
  const issues: ConfigIssue[] = [];
  if (v.lendsToPreviews) {
    issues.push({
      key: "lendsToPreviews",
      value: "true",
      problem: "must be false with sharedInfraStack: a stack that borrows another's Chroma has none of its own to lend",
    });
  }
  if (v.tier !== "preview") {
    issues.push({
      key: "sharedInfraStack",
      value: v.sharedInfraStack,
      problem: `only a preview stack may borrow another stack's infrastructure (tier is ${v.tier}); set it to "" here`,
    });
  }
  if (!v.previewDomain) {
    issues.push({
      key: "previewDomain",
      value: "",
      problem: "required with sharedInfraStack: the API's host on the shared load balancer is <stack>.<previewDomain>",
    });
  }
  for (const bot of ["telegramBot", "discordBot"]) {
    if (v[`${bot}Enabled`]) {
      issues.push({
        key: `${bot}Enabled`,
        value: "true",
        problem: "must be false with sharedInfraStack: the bot would poll with the shared stack's token and steal its updates",
      });
    }
  }
  return issues;
}
