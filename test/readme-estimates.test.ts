/** README's estimate table is what `npm run plan -- <stack> --estimate` prints for each committed stack. */
import * as fs from "fs";
import * as path from "path";
import { duration, estimateDeployTime, estimateMonthlyCost } from "../tools/estimate";
import { perDay } from "../tools/estimate/shared";
import { planFor } from "./support/plan";

const README = fs.readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
const dollars = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

describe("README's estimate table", () => {
  it.each([
    ["staging", "staging"],
    ["prod", "prod"],
    ["pr-123", "preview (`pr-<n>`, on staging's infrastructure)"],
  ])("%s: resources, monthly cost and first-deploy time as the estimator gives them", async (stack, label) => {
    const { plan, config } = await planFor(stack);
    const cost = estimateMonthlyCost(plan, config.config["chatbot:region"]);
    const perDayText = stack.startsWith("pr-") ? ` ($${perDay(cost.total).toFixed(2)}/day)` : "";
    const row = `| ${label} | ${plan.resources.length} | ${dollars(cost.total)}${perDayText} | ${duration(estimateDeployTime(plan).seconds)} |`;
    const readmeRow = README.split("\n").find((l) => l.startsWith(`| ${label} |`));
    expect(readmeRow).toBe(row);
  });
});
