/**
 * The runner's guardian: a detached process (its own session, so the Ctrl-C that reaches the
 * runner's process group does not end it) that stops the ECS task if the runner dies before the
 * task has stopped. `pulumi up` being cancelled kills the runner with SIGKILL (the command
 * provider runs it with Go's exec.CommandContext, whose cancel is Process.Kill), which no signal
 * handler can catch; the runner's end closes the IPC channel, which is what wakes this up.
 */
import { ECSClient, StopTaskCommand } from "@aws-sdk/client-ecs";

type Message = { taskArn: string; cluster: string; region: string } | "done";

let task: { taskArn: string; cluster: string; region: string } | undefined;
let done = false;

process.on("message", (m: Message) => {
  if (m === "done") {
    done = true;
    process.disconnect?.();
    return;
  }
  task = m;
});

process.on("disconnect", () => {
  if (done || !task) return process.exit(0);
  const { taskArn, cluster, region } = task;
  new ECSClient({ region })
    .send(new StopTaskCommand({ cluster, task: taskArn, reason: "run-task: the run that started it ended before the task (pulumi up cancelled?)" }), {
      abortSignal: AbortSignal.timeout(30_000),
    })
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
});

// Messages that arrive before these listeners exist are dropped: the runner waits for this.
process.send?.("ready");
