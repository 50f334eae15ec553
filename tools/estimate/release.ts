/**
 * Time of an image-only release: `pulumi up` with new app image digests, which registers new task
 * definition revisions and lets ECS roll each service (rolling update, waitForSteadyState). The
 * services roll in parallel; the release lasts as long as the slowest one. Every input comes from
 * the plan (deployment percents, health check, deregistration delay, grace period, stopTimeout);
 * typical durations the plan cannot know are stated in release-times.json.
 */
import type { Plan, PlanResource } from "../plan/types";
import { duration } from "./duration";
import releaseTimes from "./release-times.json";

export type ReleaseTimes = Record<keyof typeof releaseTimes, { value: number; why: string }>;

export interface ServiceRelease {
  service: string;
  seconds: number;
  /** Seconds each setting contributes, largest first: what to change to release faster. */
  parts: { setting: string; seconds: number }[];
  /** Old and new tasks overlap (no moment without a healthy task). */
  zeroDowntime: boolean;
}

export interface ReleaseEstimate {
  seconds: number;
  services: ServiceRelease[];
  /** The slowest service's largest parts. */
  dominant: string[];
}

const SERVICE = "aws:ecs/service:Service";
const num = (v: unknown, d: number) => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : d);

/** App services are the ones a release rolls: those of the containers part (Chroma's image is pinned in config). */
function isAppService(r: PlanResource): boolean {
  return r.type === SERVICE && (r.urn.split("::")[2] ?? "").startsWith("chatbot:containers:Service$");
}

export function estimateRelease(plan: Plan, times: ReleaseTimes = releaseTimes): ReleaseEstimate {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const byId = new Map(plan.resources.map((r) => [`${r.name}-id`, r]));
  const arnOf = (arn: unknown) =>
    plan.resources.find((r) => typeof arn === "string" && (arn.endsWith(`/${r.name}`) || arn.includes(`:${r.name}`) || arn.includes(r.name)));
  const services: ServiceRelease[] = [];
  for (const svc of plan.resources.filter(isAppService)) {
    const i = svc.inputs as Record<string, any>;
    const desired = Math.max(1, num(i.desiredCount, 1));
    const minPct = num(i.deploymentMinimumHealthyPercent, 100);
    const maxPct = num(i.deploymentMaximumPercent, 200);
    const task = svc.options.dependsOn.map((u) => byUrn.get(u)).find((r) => r?.type === "aws:ecs/taskDefinition:TaskDefinition") ?? arnOf(i.taskDefinition);
    const containers = typeof task?.inputs.containerDefinitions === "string" ? JSON.parse(task.inputs.containerDefinitions) : [];
    const stop = Math.max(times.ecsDefaultStopTimeoutSeconds.value, ...containers.map((c: { stopTimeout?: number }) => num(c.stopTimeout, 0)));
    const stopSetting = containers.some((c: { stopTimeout?: number }) => c.stopTimeout !== undefined)
      ? "container stopTimeout"
      : "container stopTimeout (ECS default)";
    const lbTarget = (i.loadBalancers ?? [])[0]?.targetGroupArn;
    const tg = lbTarget && (byId.get(String(lbTarget).replace(/-arn$/, "-id")) ?? arnOf(lbTarget));
    const parts: { setting: string; seconds: number }[] = [{ setting: "task start (image pull, app start)", seconds: times.taskStartSeconds.value }];
    // How many tasks ECS may start before stopping old ones, and stop before new ones are healthy.
    const extra = Math.floor((desired * maxPct) / 100) - desired;
    const stoppable = desired - Math.ceil((desired * minPct) / 100);
    const batches = Math.ceil(desired / Math.max(1, extra, stoppable));
    if (tg && tg.type === "aws:lb/targetGroup:TargetGroup") {
      const hc = (tg.inputs.healthCheck ?? {}) as Record<string, unknown>;
      const healthy = num(hc.healthyThreshold, 5) * num(hc.interval, 30);
      parts.push({ setting: "target group healthyThreshold x interval", seconds: healthy });
      parts.push({ setting: "albDeregistrationDelaySeconds (draining)", seconds: num(tg.inputs.deregistrationDelay, 300) });
    }
    parts.push({ setting: stopSetting, seconds: stop });
    const perBatch = parts.reduce((s, p) => s + p.seconds, 0);
    const seconds = perBatch * batches + times.steadyStatePollSeconds.value;
    const scaled = parts.map((p) => ({ ...p, seconds: p.seconds * batches }));
    scaled.push({ setting: "ECS steady-state check", seconds: times.steadyStatePollSeconds.value });
    services.push({
      service: svc.name.replace(/-service$/, ""),
      seconds,
      parts: scaled.sort((a, b) => b.seconds - a.seconds),
      zeroDowntime: minPct >= 100 && maxPct > 100,
    });
  }
  const slowest = [...services].sort((a, b) => b.seconds - a.seconds)[0];
  return {
    seconds: (slowest?.seconds ?? 0) + times.pulumiOverheadSeconds.value,
    services,
    dominant: slowest ? slowest.parts.slice(0, 2).map((p) => `${p.setting} (${p.seconds} s)`) : [],
  };
}

export function formatRelease(r: ReleaseEstimate): string {
  const out = [
    `### Estimated image-only release: ${duration(r.seconds)}`,
    "",
    `Dominated by ${r.dominant.join(" and ") || "nothing"}; the services roll in parallel (typical durations: \`tools/estimate/release-times.json\`).`,
    "",
  ];
  out.push("| service | release | zero downtime | largest parts |", "|---|---:|---|---|");
  for (const s of r.services)
    out.push(
      `| ${s.service} | ${duration(s.seconds)} | ${s.zeroDowntime ? "yes" : "no (stops before it starts)"} | ${s.parts
        .slice(0, 3)
        .map((p) => `${p.setting} ${p.seconds} s`)
        .join("; ")} |`,
    );
  return out.join("\n") + "\n";
}
