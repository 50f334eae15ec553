import { estimateDeployTime, estimateMonthlyCost, formatEstimate } from "../estimate";
import { estimateRelease, formatRelease } from "../estimate/release";
import { formatShared } from "../estimate/shared";
import { LoadedStackConfig } from "./stackConfig";
import { Plan } from "./types";

/**
 * `--estimate`: monthly cost from the committed price table of the stack's region, first-deploy
 * time, and the time of an image-only release; for a preview-tier stack also what it borrows and
 * the previews' budget.
 */
export function estimateReport(plan: Plan, cfg: LoadedStackConfig): string {
  const region = cfg.config[`${cfg.project}:region`];
  const cost = estimateMonthlyCost(plan, region);
  const time = estimateDeployTime(plan);
  const lender = cfg.config[`${cfg.project}:sharedInfraStack`];
  return formatEstimate(cost, time) + "\n" + (lender ? formatShared(lender, cost, time) + "\n" : "") + formatRelease(estimateRelease(plan));
}
