/**
 * `pulumi up` runs this (components/data/dbBootstrap.ts) to run the db-init task before the app
 * services roll; a person runs exactly the same by hand:
 *
 *   CLUSTER=chatbot-prod TASK_DEFINITION=chatbot-prod-db-init CONTAINER=db-init \
 *   SUBNETS=subnet-aaa,subnet-bbb SECURITY_GROUPS=sg-jobs LOG_GROUP=/ecs/chatbot-prod-db-init \
 *   AWS_REGION=eu-central-1 OVERRIDES='{"containerOverrides":[{"name":"db-init","command":["--dry-run"]}]}' \
 *   npx tsx tools/run-task/cli.ts
 *
 * Exit: the container's exit code; 1 if it never ran or ECS refused it; 124 at TIMEOUT_SECONDS
 * (default 900); 130/143 on SIGINT/SIGTERM; 2 for a missing or bad variable. The task is stopped
 * on every early end. Credentials: the SDK's default chain, allowed ecs:RunTask, DescribeTasks,
 * StopTask, iam:PassRole on the task's roles and logs:GetLogEvents on its log group.
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { fork } from "child_process";
import * as path from "path";
import { readOptions, runTask, RunTaskOptions } from "./runTask";

/** Starts the guardian, detached, speaking over IPC only; resolves once it listens. */
async function startGuardian(o: RunTaskOptions) {
  const child = fork(path.join(__dirname, "guardian.ts"), [], { detached: true, stdio: ["ignore", "ignore", "ignore", "ipc"], execArgv: process.execArgv });
  child.on("error", () => undefined);
  const ready = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 15_000);
    child.once("message", (m) => (clearTimeout(t), resolve(m === "ready")));
    child.once("exit", () => (clearTimeout(t), resolve(false)));
  });
  if (!ready) process.stderr.write("run-task: the guardian did not start; a cancelled run will leave its task running\n");
  child.unref();
  child.channel?.unref();
  return {
    started: (taskArn: string) => child.send({ taskArn, cluster: o.cluster, region: o.region }),
    done: () => {
      if (child.connected) child.send("done", () => child.connected && child.disconnect());
    },
  };
}

async function main(): Promise<number> {
  let o: RunTaskOptions;
  try {
    o = readOptions(process.env);
  } catch (e) {
    process.stderr.write(`run-task: ${(e as Error).message}\n`);
    return 2;
  }
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => stop.abort(sig));
  return runTask(o, {
    ecs: new ECSClient({ region: o.region }),
    out: (l) => void process.stdout.write(`${l}\n`),
    err: (l) => void process.stderr.write(`${l}\n`),
    stop: stop.signal,
    guard: await startGuardian(o),
  });
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`run-task: ${(e as Error).name}: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
