import { parseArgs } from "util";
import { Run } from "../bounds";
import { listBackups } from "../catalog";
import { readJobEnv } from "../env";
import { formatBytes, Runtime } from "../runtime";
import { openStore } from "../s3";

/** `list`: one line per backup folder, newest first; INCOMPLETE and DAMAGED ones say why. */
export async function listCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime, run: Run): Promise<void> {
  parseArgs({ args: argv, options: {}, strict: true, allowPositionals: false });
  const cfg = readJobEnv(env, "list");
  const backups = await run.step(`listing s3://${cfg.bucket}/${cfg.prefix}/`, () => listBackups(openStore(cfg, run.bounds, run.signal), cfg.prefix));
  if (backups.length === 0) {
    rt.out(`no backups under s3://${cfg.bucket}/${cfg.prefix}/`);
    return;
  }
  for (const b of backups) {
    const why = b.why ? `  (${b.why})` : "";
    rt.out(`${b.id}  ${b.state.padEnd(10)}  ${formatBytes(b.bytes).padStart(10)}  ${b.objects.join(", ")}${why}`);
  }
}
