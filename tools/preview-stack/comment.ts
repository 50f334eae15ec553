/**
 * The PR comment of a preview stack (issue 20): the offline plan's summary, the estimate (cost
 * per day and time to create, against the previews' budget), what it borrows, its URL and when
 * the sweeper destroys it. The facts come from the same offline plan as `npm run plan -- pr-<n>
 * --estimate`; the comment is a pure function of them, so a test can check every line.
 */
import { duration, estimateDeployTime, estimateMonthlyCost } from "../estimate";
import { perDay, PREVIEW_BUDGET, SHARED_PARTS } from "../estimate/shared";
import { lenderOf, renderStack } from "../plan/render";
import { groupByComponent, summary } from "../plan/summary";

export interface PlanFacts {
  resources: number;
  /** `component (n)` per component, as the plan's summary lists them. */
  components: string[];
  /** The plan's terminal summary, for a collapsed block. */
  summary: string;
  monthlyUsd: number;
  createSeconds: number;
  /** The stack it borrows from (sharedInfraStack), if any. */
  lender?: string;
}

/** Renders pr-<n> offline (as `npm run plan -- pr-<n> --estimate`) and keeps what the comment shows. */
export async function planFacts(stack: string): Promise<PlanFacts> {
  const { plan, config } = await renderStack({ stack });
  const region = config.config[`${config.project}:region`];
  return {
    resources: plan.resources.length,
    components: [...groupByComponent(plan)].map(([c, rs]) => `${c} (${rs.length})`),
    summary: summary(plan, config),
    monthlyUsd: estimateMonthlyCost(plan, region).total,
    createSeconds: estimateDeployTime(plan).seconds,
    lender: lenderOf(config)?.ref,
  };
}

export interface CommentArgs {
  stack: string;
  url?: string;
  ttlHours: number;
  /** When the time-to-live ends (the sweeper's clock: the last `up`). */
  expiresAt: Date;
  facts: PlanFacts;
}

export function previewComment({ stack, url, ttlHours, expiresAt, facts }: CommentArgs): string {
  const day = perDay(facts.monthlyUsd);
  const within = (ok: boolean) => (ok ? "within" : "**over**");
  const lines = [
    `### Preview stack \`${stack}\``,
    "",
    `- **URL:** ${url ?? "(none: the stack exports no apiUrl)"}`,
    `- **Time-to-live:** ${ttlHours} h after the last push: destroyed by the sweeper after ${expiresAt.toISOString()}, or when this PR closes or loses the \`preview-stack\` label.`,
    `- **Estimated cost:** $${day.toFixed(2)}/day ($${facts.monthlyUsd.toFixed(2)}/month), ${within(day < PREVIEW_BUDGET.usdPerDay)} the previews' $${PREVIEW_BUDGET.usdPerDay}/day.`,
    `- **Estimated time to create:** ${duration(facts.createSeconds)}, ${within(facts.createSeconds < PREVIEW_BUDGET.createSeconds)} the previews' ${PREVIEW_BUDGET.createSeconds / 60} min.`,
    `- **Offline plan:** ${facts.resources} resources: ${facts.components.join(", ")}.`,
  ];
  if (facts.lender) {
    lines.push(`- **Borrowed from \`${facts.lender}\`** (not paid by this stack): ${SHARED_PARTS.join("; ")}.`);
  }
  lines.push(
    "",
    "<details><summary>Offline plan summary (<code>npm run plan -- " + stack + " --estimate</code>)</summary>",
    "",
    "```",
    facts.summary,
    "```",
    "",
    "</details>",
    "",
  );
  return lines.join("\n");
}
