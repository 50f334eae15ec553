import { estimateDeployTime, estimateMonthlyCost, formatEstimate } from "../estimate";
import { estimateRelease, formatRelease } from "../estimate/release";
import { LoadedStackConfig } from "./stackConfig";
import { Plan } from "./types";

/** `--estimate`: monthly cost from the committed price table of the stack's region, first-deploy time, and the time of an image-only release. */
export function estimateReport(plan: Plan, cfg: LoadedStackConfig): string {
  const region = cfg.config[`${cfg.project}:region`];
  return formatEstimate(estimateMonthlyCost(plan, region), estimateDeployTime(plan)) + "\n" + formatRelease(estimateRelease(plan));
}
