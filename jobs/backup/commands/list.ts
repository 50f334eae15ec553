import { parseArgs } from "util";
import { listBackups } from "../catalog";
import { readJobEnv } from "../env";
import { formatBytes, Runtime } from "../runtime";
import { openStore } from "../s3";

/** `list`: one line per backup folder, newest first, incomplete ones flagged. */
export async function listCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime): Promise<void> {
  parseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
  const cfg = readJobEnv(env);
  const backups = await listBackups(openStore(cfg), cfg.prefix);
  if (backups.length === 0) {
    rt.out(`no backups under s3://${cfg.bucket}/${cfg.prefix}/`);
    return;
  }
  for (const b of backups) {
    const state = b.complete ? "complete  " : "INCOMPLETE";
    rt.out(`${b.timestamp}  ${state}  ${formatBytes(b.bytes).padStart(10)}  ${b.objects.sort().join(", ")}`);
  }
}
