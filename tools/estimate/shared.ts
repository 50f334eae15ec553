/**
 * What a preview-tier stack (config sharedInfraStack) does not pay for, and the previews' budget
 * (issue 20): a pr-<n> stack should cost under $2 a day and be created in under 8 minutes.
 */
import type { CostEstimate, TimeEstimate } from "./index";

export const PREVIEW_BUDGET = { usdPerDay: 2, createSeconds: 8 * 60 } as const;

/** The lender's parts a borrower uses without declaring them, with what the lender pays for each. */
export const SHARED_PARTS = [
  "VPC, subnets, NAT gateway and security groups (network)",
  "RDS PostgreSQL instance: one database and four roles of this stack on it (data)",
  "ElastiCache Redis: a key prefix (data)",
  "ChromaDB service and its EFS volume: one database in it (data)",
  "Application load balancer, its HTTPS listener and WAF: one host rule and target group of this stack (containers)",
] as const;

const DAYS_PER_MONTH = 730 / 24;

export function perDay(monthly: number): number {
  return Math.round((monthly / DAYS_PER_MONTH) * 100) / 100;
}

/** The lines `--estimate` adds for a preview-tier stack: shared parts, cost per day and time against the budget. */
export function formatShared(lender: string, cost: CostEstimate, time: TimeEstimate): string {
  const day = perDay(cost.total);
  const minutes = (time.seconds / 60).toFixed(1);
  const ok = (b: boolean) => (b ? "within" : "OVER");
  return [
    `### Shared with ${lender} (paid by ${lender}, not counted above)`,
    "",
    ...SHARED_PARTS.map((p) => `- ${p}`),
    "",
    `Preview budget: $${day.toFixed(2)}/day (${ok(day < PREVIEW_BUDGET.usdPerDay)} $${PREVIEW_BUDGET.usdPerDay}/day), ` +
      `created in ~${minutes} min (${ok(time.seconds < PREVIEW_BUDGET.createSeconds)} ${PREVIEW_BUDGET.createSeconds / 60} min).`,
    "",
  ].join("\n");
}
