import { ChildProcess, spawn, SpawnOptions } from "child_process";
import { JobError } from "./errors";

/** Keeps the end of a child's stderr: the reason for a failure is in its last lines. */
export function stderrTail(child: ChildProcess, max = 2000): () => string {
  let tail = "";
  child.stderr?.on("data", (d: Buffer) => {
    tail = (tail + d.toString("utf8")).slice(-max);
  });
  return () => tail.trim();
}

/** Resolves when the child exits with 0; otherwise rejects with a JobError quoting its stderr. */
export function exitOk(child: ChildProcess, what: string): Promise<void> {
  const tail = stderrTail(child);
  return new Promise((resolve, reject) => {
    child.on("error", (err: NodeJS.ErrnoException) => {
      reject(new JobError(err.code === "ENOENT" ? `${what}: not found (install the PostgreSQL client or set PG_BIN_DIR)` : `${what}: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      if (code === 0) resolve();
      else reject(new JobError(`${what} failed (${signal ?? `exit ${code}`}): ${tail() || "no message"}`));
    });
  });
}

/** Runs a command to completion, collecting its stdout (small outputs only). */
export async function run(cmd: string, args: string[], what: string, opts: SpawnOptions = {}): Promise<string> {
  const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString("utf8")));
  await exitOk(child, what);
  return out;
}
