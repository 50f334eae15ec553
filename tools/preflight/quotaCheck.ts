/**
 * Each quota against what the account uses plus what this stack still has to create: resources
 * already tagged with this stack's name are its own (a re-run after a deploy needs nothing more).
 * The open previews' share (`stack=pr-<n>` tags) is named, so a refused preview says why, and
 * how many more stacks like this one fit is reported.
 */
import type { Clients } from "./clients";
import type { Needs } from "./needs";
import type { Findings } from "./problem";
import { QUOTAS, QuotaSpec, quotaValue } from "./quotas";
import type { InUse } from "./usage";

export const PREVIEW_STACK = /^pr-[1-9][0-9]*$/;

/** `listener/app/<name>/<lb id>/<listener id>` belongs to `loadbalancer/app/<name>/<lb id>`. */
function sameScope(needScope: string, used: string): boolean {
  if (needScope === used) return true;
  const listener = /^(arn:[^:]+:elasticloadbalancing:[^:]+:[^:]+:)listener\/(app\/[^/]+\/[^/]+)\//.exec(needScope);
  if (listener) return used === `${listener[1]}loadbalancer/${listener[2]}`;
  // An ECS cluster given by name matches its ARN.
  return !needScope.includes(":") && used.endsWith(`:cluster/${needScope}`);
}

export interface QuotaRoom {
  quota: string;
  /** How many more stacks needing what this one needs fit after it. */
  more: number;
}

function describePreviews(used: InUse[], self: string): string {
  const previews = used.filter((u) => u.stack && PREVIEW_STACK.test(u.stack) && u.stack !== self);
  if (previews.length === 0) return "";
  const stacks = [...new Set(previews.map((u) => u.stack!))].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  const list = stacks.length > 4 ? `${stacks.slice(0, 4).join(", ")}, ...` : stacks.join(", ");
  return ` (${previews.length} by ${stacks.length} open preview${stacks.length === 1 ? "" : "s"}: ${list})`;
}

function fixFor(q: QuotaSpec, needs: Needs, wanted: number): string {
  const raise = `aws service-quotas request-service-quota-increase --service-code ${q.serviceCode} --quota-code ${q.quotaCode} --desired-value ${wanted} --region ${needs.region}`;
  return PREVIEW_STACK.test(needs.stack)
    ? `destroy a finished preview (npm run preview-stack -- destroy <pr-number>), or raise the quota: ${raise}`
    : `${q.hint}, or raise the quota: ${raise}`;
}

export async function checkQuotas(c: Clients, needs: Needs, out: Findings): Promise<QuotaRoom[]> {
  const room: QuotaRoom[] = [];
  for (const q of QUOTAS) {
    const need = q.need(needs);
    if (Object.keys(need).length === 0) continue;
    const label = `quota "${q.name}" (${q.serviceCode} ${q.quotaCode})`;
    if (!q.inUse) {
      out.notes.push(`${label}: not checked, no installed AWS SDK client reads its usage (needs ${Object.values(need).reduce((a, b) => a + b, 0)})`);
      continue;
    }
    const [quota, inUse] = await Promise.all([quotaValue(c, q), q.inUse(c)]);
    if (quota.assumed) out.notes.push(`${label}: ${quota.assumed}`);
    for (const [scope, count] of Object.entries(need)) {
      const used = scope.startsWith("new:") ? [] : inUse.filter((u) => sameScope(scope, u.scope));
      const own = used.filter((u) => u.stack === needs.stack).length;
      const extra = Math.max(0, count - own);
      const where = scope === "region" ? `in ${needs.region}` : scope.startsWith("new:") ? `on ${scope.slice(4)}` : `in ${scope}`;
      const free = quota.value - used.length;
      if (extra > free) {
        const names = needs.names[q.type] ?? [];
        out.problems.push({
          resource: `${names.slice(0, 3).join(", ")}${names.length > 3 ? `, ... (${names.length})` : ""}`,
          argument: label,
          problem: `${used.length} of ${quota.value} in use ${where}${describePreviews(used, needs.stack)}, stack ${needs.stack} needs ${extra} more: the next would not fit`,
          fix: fixFor(q, needs, used.length + extra),
        });
      }
      if (count > 0) room.push({ quota: `${q.name} ${where}`, more: Math.max(0, Math.floor((free - extra) / count)) });
    }
  }
  return room;
}
