/**
 * Runs one ECS Fargate task to completion: RunTask, DescribeTasks polled with backoff until it
 * stops or the deadline passes, then the container's exit code and its last log lines. Every
 * way the run can end early stops the task it started: the deadline (exit 124), SIGTERM/SIGINT
 * (143/130), and the runner being killed outright (the guardian process, guardian.ts).
 */
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand, Task } from "@aws-sdk/client-ecs";
import { jsonCall } from "../aws/signedCall";

export interface RunTaskOptions {
  cluster: string;
  taskDefinition: string;
  container: string;
  subnets: string[];
  securityGroups: string[];
  region: string;
  startedBy: string;
  /** RunTask's `overrides` as JSON (e.g. another command). */
  overrides?: string;
  /** Exact: the task is stopped this many seconds after RunTask returned, polling or not. */
  timeoutSeconds: number;
  /** First wait between DescribeTasks calls; doubled after each until pollMaxSeconds. */
  pollMinSeconds: number;
  pollMaxSeconds: number;
  logGroup?: string;
  logStreamPrefix: string;
  logLines: number;
}

export interface RunTaskDeps {
  ecs: ECSClient;
  out(line: string): void;
  err(line: string): void;
  /** Fires on SIGTERM/SIGINT: its reason is the signal's name. */
  stop: AbortSignal;
  /** Told the task ARN once it exists, and told when it no longer needs stopping. */
  guard?: { started(taskArn: string): void; done(): void };
}

export const EXIT_TIMEOUT = 124;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

const VARS = ["CLUSTER", "TASK_DEFINITION", "CONTAINER", "SUBNETS", "SECURITY_GROUPS", "AWS_REGION"] as const;

/** The environment contract (components/data/dbBootstrap.ts sets it); every problem in one line. */
export function readOptions(env: NodeJS.ProcessEnv): RunTaskOptions {
  const missing = VARS.filter((v) => !env[v]?.trim());
  if (missing.length) throw new Error(`missing env ${missing.join(" ")}`);
  const seconds = (name: string, dflt: number) => {
    const v = env[name]?.trim();
    if (!v) return dflt;
    if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`${name} must be a number of seconds, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const pollMinSeconds = seconds("POLL_MIN_SECONDS", 5);
  const pollMaxSeconds = Math.max(pollMinSeconds, seconds("POLL_MAX_SECONDS", 30));
  if (pollMinSeconds <= 0) throw new Error("POLL_MIN_SECONDS must be > 0");
  if (env.OVERRIDES?.trim()) {
    try {
      JSON.parse(env.OVERRIDES);
    } catch {
      throw new Error('OVERRIDES is not JSON (RunTask\'s overrides, e.g. {"containerOverrides":[...]})');
    }
  }
  const list = (v: string) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  return {
    cluster: env.CLUSTER!.trim(),
    taskDefinition: env.TASK_DEFINITION!.trim(),
    container: env.CONTAINER!.trim(),
    subnets: list(env.SUBNETS!),
    securityGroups: list(env.SECURITY_GROUPS!),
    region: env.AWS_REGION!.trim(),
    startedBy: env.STARTED_BY?.trim() || "run-task",
    overrides: env.OVERRIDES?.trim() || undefined,
    timeoutSeconds: seconds("TIMEOUT_SECONDS", 900),
    pollMinSeconds,
    pollMaxSeconds,
    logGroup: env.LOG_GROUP?.trim() || undefined,
    logStreamPrefix: env.LOG_STREAM_PREFIX?.trim() || "job",
    logLines: Math.max(1, Math.round(seconds("LOG_LINES", 40))),
  };
}

/** Resolves after `ms`, or at once when `signal` fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** What a stopped task means for the deploy: the container's own exit code, or 1 if it never ran. */
export function outcome(task: Task, container: string): { code: number; line: string } {
  const c = task.containers?.find((x) => x.name === container);
  const id = task.taskArn?.split("/").pop();
  if (c?.exitCode === 0) return { code: 0, line: `${id} exited 0` };
  const why = `${task.stopCode ?? "no stop code"}: ${task.stoppedReason ?? c?.reason ?? "no reason given"}`;
  if (typeof c?.exitCode === "number") return { code: c.exitCode, line: `${id} failed: exit code ${c.exitCode}, ${why}` };
  return { code: 1, line: `${id} failed: the container never ran (${why})` };
}

export async function runTask(o: RunTaskOptions, d: RunTaskDeps): Promise<number> {
  const say = (l: string) => d.out(`run-task: ${l}`);
  const started = await d.ecs.send(
    new RunTaskCommand({
      cluster: o.cluster,
      taskDefinition: o.taskDefinition,
      count: 1,
      launchType: "FARGATE",
      startedBy: o.startedBy,
      networkConfiguration: { awsvpcConfiguration: { subnets: o.subnets, securityGroups: o.securityGroups, assignPublicIp: "DISABLED" } },
      overrides: o.overrides ? JSON.parse(o.overrides) : undefined,
    }),
  );
  const arn = started.tasks?.[0]?.taskArn;
  if (!arn) {
    const f = started.failures?.[0];
    d.err(`run-task: ECS did not start ${o.taskDefinition}: ${f ? `${f.reason}${f.detail ? ` (${f.detail})` : ""}` : "no reason given"}`);
    return 1;
  }
  d.guard?.started(arn);
  const deadline = Date.now() + o.timeoutSeconds * 1000;
  const id = arn.split("/").pop()!;
  say(`started ${arn}`);

  const stopTask = async (reason: string) => {
    try {
      await d.ecs.send(new StopTaskCommand({ cluster: o.cluster, task: arn, reason }), { abortSignal: AbortSignal.timeout(20_000) });
    } catch (e) {
      d.err(`run-task: could not stop ${id} (${(e as Error).message}); stop it by hand: aws ecs stop-task --cluster ${o.cluster} --task ${arn}`);
    }
    d.guard?.done();
  };

  let wait = o.pollMinSeconds * 1000;
  let failures = 0;
  for (;;) {
    if (d.stop.aborted) {
      const sig = String(d.stop.reason);
      await stopTask(`run-task interrupted (${sig})`);
      d.err(`run-task: interrupted by ${sig}; stopped ${id}`);
      return SIGNAL_EXIT[sig] ?? 130;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      await stopTask(`run-task timed out after ${o.timeoutSeconds}s`);
      d.err(`run-task: ${id} still running after ${o.timeoutSeconds}s (TIMEOUT_SECONDS); stopped it`);
      return EXIT_TIMEOUT;
    }
    // Never sleep past the deadline, and never let one hung call carry us past it either.
    await sleep(Math.min(wait, left), d.stop);
    if (d.stop.aborted || Date.now() >= deadline) continue;
    wait = Math.min(wait * 2, o.pollMaxSeconds * 1000);
    let task: Task | undefined;
    try {
      const callBound = AbortSignal.any([AbortSignal.timeout(Math.max(1, Math.min(30_000, deadline - Date.now()))), d.stop]);
      const res = await d.ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: [arn] }), { abortSignal: callBound });
      task = res.tasks?.[0];
      failures = 0;
    } catch (e) {
      if (d.stop.aborted) continue;
      // Throttling or a network fault: keep backing off; the deadline still holds.
      if (++failures % 5 === 1) d.err(`run-task: DescribeTasks failed (${(e as Error).message}); retrying`);
      continue;
    }
    if (task?.lastStatus !== "STOPPED") continue;
    d.guard?.done();
    const r = outcome(task, o.container);
    if (r.code === 0) {
      for (const l of await logLines(o, id)) d.out(l);
      say(r.line);
    } else {
      d.err(`run-task: ${r.line}`);
      if (o.logGroup) {
        d.err(`run-task: last ${o.logLines} log lines of ${o.logGroup}:`);
        for (const l of await logLines(o, id)) d.err(l);
      }
    }
    return r.code;
  }
}

/** The task's last log lines (awslogs stream `<prefix>/<container>/<task id>`), or a line saying there are none. */
async function logLines(o: RunTaskOptions, id: string): Promise<string[]> {
  if (!o.logGroup) return [];
  const stream = `${o.logStreamPrefix}/${o.container}/${id}`;
  try {
    const res = await jsonCall<{ events?: { message?: string }[] }>(
      { service: "logs", region: o.region, signal: AbortSignal.timeout(20_000) },
      "Logs_20140328.GetLogEvents",
      { logGroupName: o.logGroup, logStreamName: stream, limit: o.logLines, startFromHead: false },
    );
    return (res.events ?? []).map((e) => (e.message ?? "").replace(/\n$/, ""));
  } catch (e) {
    return [`(no log lines from ${o.logGroup} ${stream}: ${(e as Error).message})`];
  }
}
