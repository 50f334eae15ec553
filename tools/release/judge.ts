/**
 * What a release's outcome is, decided from ECS's own answers (DescribeServices, DescribeTasks):
 * pure functions, so every case (rolled back, failed, still rolling, tasks that keep stopping)
 * is tested on responses shaped like ECS's, whatever a local ECS emulator can produce.
 */
import type { Deployment, Service, Task } from "@aws-sdk/client-ecs";

export interface Verdict {
  /** Short name in the stack outputs (`api`, `telegramBot`). */
  service: string;
  ok: boolean;
  /** One line: what is wrong, naming the rollout state and the stopped tasks' reasons. */
  problem?: string;
}

/** Stopped tasks' reasons, distinct, most frequent first: `stoppedReason (container: reason, exit N)`. */
export function stoppedReasons(tasks: Task[]): string[] {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    const containers = (t.containers ?? [])
      .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
      .map((c) => `${c.name}: ${[c.reason, c.exitCode !== undefined ? `exit ${c.exitCode}` : ""].filter(Boolean).join(", ")}`);
    const reason = `${t.stoppedReason ?? t.stopCode ?? "stopped"}${containers.length ? ` (${containers.join("; ")})` : ""}`;
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r, n]) => (n > 1 ? `${n}x ${r}` : r));
}

const primaryOf = (s: Service): Deployment | undefined => (s.deployments ?? []).find((d) => d.status === "PRIMARY");
const rev = (arn?: string) => arn?.split("/").pop() ?? "?";

/**
 * A service's release is good when its PRIMARY deployment runs the task definition Pulumi just
 * registered (ECS's circuit breaker and deployment alarms roll back by making the previous one
 * PRIMARY again), that deployment COMPLETED with every desired task running, and no task of it
 * stopped with an error (a crash loop between health checks).
 */
export function judge(label: string, service: Service | undefined, expectedTaskDefinition: string, stopped: Task[]): Verdict {
  if (!service || service.status === "INACTIVE") return { service: label, ok: false, problem: "service not found in the cluster" };
  const primary = primaryOf(service);
  const why = (text: string) => {
    const reasons = stoppedReasons(stopped.filter((t) => t.taskDefinitionArn === expectedTaskDefinition));
    return { service: label, ok: false, problem: `${text}${reasons.length ? `; stopped tasks: ${reasons.slice(0, 3).join(" | ")}` : ""}` };
  };
  if (!primary) return why("no PRIMARY deployment");
  const state = primary.rolloutState ?? "UNKNOWN";
  if (primary.taskDefinition !== expectedTaskDefinition) {
    return why(
      `rolled back: rolloutState ${state} on ${rev(primary.taskDefinition)}, not the released ${rev(expectedTaskDefinition)}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ""}`,
    );
  }
  if (state !== "COMPLETED") return why(`rolloutState ${state}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ""}`);
  if ((primary.runningCount ?? 0) < (primary.desiredCount ?? 0))
    return why(`rolloutState ${state} but ${primary.runningCount ?? 0}/${primary.desiredCount} tasks running`);
  const since = primary.updatedAt ?? primary.createdAt;
  const crashed = stopped.filter(
    (t) =>
      t.taskDefinitionArn === expectedTaskDefinition &&
      (!since || !t.stoppedAt || t.stoppedAt >= since) &&
      (t.stopCode === "TaskFailedToStart" || (t.containers ?? []).some((c) => c.exitCode !== undefined && c.exitCode !== 0)),
  );
  if (crashed.length > 0) return why(`rolloutState ${state}, but tasks keep stopping`);
  return { service: label, ok: true };
}
