/**
 * The committed plans of staging and prod (test/snapshots/<stack>.plan.json, the exact bytes of
 * `npm run plan -- <stack> --json FILE`): any change to what a stack would create shows up in the
 * PR as a readable diff of these files. After an intended change:
 *   UPDATE_SNAPSHOTS=1 npx jest test/snapshots.test.ts
 */
import * as fs from "fs";
import * as path from "path";
import { planJson } from "../tools/plan/cli";
import { comparePlans, Difference, PRESENCE, showPair } from "../tools/plan/diff";
import type { Plan } from "../tools/plan/types";
import { planFor } from "./support/plan";

const DIR = path.join(__dirname, "snapshots");
const UPDATE = process.env.UPDATE_SNAPSHOTS === "1";

/** What changed, resource by resource, as a reviewer would want it in a failure message. */
function describeChanges(committed: Plan, rendered: Plan, limit = 40): string {
  const diffs = comparePlans(committed, rendered);
  const byResource = new Map<string, Difference[]>();
  for (const d of diffs) byResource.set(d.resource, [...(byResource.get(d.resource) ?? []), d]);
  const lines: string[] = [];
  for (const ds of byResource.values()) {
    const p = ds.find((d) => d.path === PRESENCE);
    if (p) lines.push(`  ${p.b ? "+ added" : "- removed"}  ${p.type} ${p.name}`);
    else lines.push(`  ~ changed ${ds[0].type} ${ds[0].name}`, ...ds.map((d) => `      ${d.path}: ${showPair(d.a, d.b).join(" -> ")}`));
  }
  const more = lines.length > limit ? [`  ... and ${lines.length - limit} more lines`] : [];
  return [...lines.slice(0, limit), ...more].join("\n");
}

describe.each(["staging", "prod"])("plan snapshot of %s", (stack) => {
  it("matches test/snapshots/" + `${stack}.plan.json`, async () => {
    const { plan } = await planFor(stack);
    const file = path.join(DIR, `${stack}.plan.json`);
    const rendered = planJson(plan);
    if (UPDATE) {
      fs.mkdirSync(DIR, { recursive: true });
      fs.writeFileSync(file, rendered);
      return;
    }
    if (!fs.existsSync(file))
      throw new Error(`no snapshot ${path.relative(process.cwd(), file)}: create it with UPDATE_SNAPSHOTS=1 npx jest test/snapshots.test.ts`);
    const committed = fs.readFileSync(file, "utf8");
    if (committed === rendered) return;
    const summary = describeChanges(JSON.parse(committed) as Plan, plan);
    throw new Error(
      `${stack}'s plan differs from ${path.relative(process.cwd(), file)}:\n` +
        (summary || "  (same resources and inputs; formatting, order or dependencies differ)") +
        "\nIf the change is intended, update the snapshots and commit them:\n  UPDATE_SNAPSHOTS=1 npx jest test/snapshots.test.ts",
    );
  });
});
