/**
 * Estimates over an offline plan (tools/plan/types.ts), as pure functions: monthly cost from a
 * committed price table (prices/<region>.json) and deploy time as the longest path through the
 * dependency graph weighted by typical create times (create-times.json). Anything the tables
 * cannot price is listed as unpriced, never counted as zero.
 */
import { PRICE_TABLES, type CostEstimate } from "./cost";
import type { TimeEstimate } from "./deployTime";
import { duration } from "./duration";
import { pricesRead } from "./pricesRead";

export { PRICE_TABLES, estimateMonthlyCost } from "./cost";
export { isComponent } from "./chargeless";
export type { Assumption, CostEstimate, CostLine, PriceRow, PriceTable, Unpriced } from "./cost";
export { createSeconds, estimateDeployTime } from "./deployTime";
export { duration } from "./duration";
export type { CreateTimeEntry, CreateTimes, TimeEstimate } from "./deployTime";

const usd = (n: number) => `$${n.toFixed(2)}`;

/** A Markdown block for the plan report / CLI. */
export function formatEstimate(cost: CostEstimate, time: TimeEstimate): string {
  const out: string[] = [];
  out.push(`### Estimated monthly cost (${cost.region}, on-demand list prices): ${usd(cost.total)}`, "");
  out.push("| type | item | count | unit / month | month | basis |", "|---|---|---:|---:|---:|---|");
  for (const l of cost.lines) out.push(`| \`${l.type}\` | ${l.item} | ${l.count} | ${usd(l.unitMonthly)} | ${usd(l.monthly)} | ${l.basis} |`);
  if (cost.unpriced.length) {
    out.push("", `**Not priced (${cost.unpriced.length}); the total leaves them out:**`, "");
    for (const u of cost.unpriced) out.push(`- \`${u.urn}\`: ${u.reason}`);
  }
  out.push("", pricesRead(cost.region, PRICE_TABLES[cost.region]), "");
  out.push("Usage quantities are assumptions stated in `tools/estimate/prices/" + cost.region + ".json`; prices there carry their source and read date.", "");
  out.push(
    `### Estimated time to create from scratch: ${duration(time.seconds)}`,
    "",
    "Critical path (typical create times, `tools/estimate/create-times.json`):",
    "",
  );
  for (const u of time.criticalPath) out.push(`1. \`${u}\``);
  return out.join("\n") + "\n";
}
