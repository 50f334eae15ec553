import { estimateDeployTime, estimateMonthlyCost, formatEstimate } from "../estimate";
import { LoadedStackConfig } from "./stackConfig";
import { Plan } from "./types";

/** `--estimate`: monthly cost from the committed price table of the stack's region, and first-deploy time. */
export function estimateReport(plan: Plan, cfg: LoadedStackConfig): string {
  const region = cfg.config[`${cfg.project}:region`];
  return formatEstimate(estimateMonthlyCost(plan, region), estimateDeployTime(plan));
}
