import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { readJobEnv } from "../env";
import { parseFrom } from "../layout";
import { PgTools } from "../pg";
import { formatBytes, Runtime } from "../runtime";
import { openStore } from "../s3";
import { verifyBackup } from "../verification";

/** `verify [--from <timestamp>|latest]`: download, check sizes, hashes and archive validity. */
export async function verifyCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { from: { type: "string" } }, strict: true, allowPositionals: false });
  const from = parseFrom(values.from, false);
  const cfg = readJobEnv(env);
  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "backup-verify-"));
  try {
    const v = await verifyBackup(openStore(cfg), cfg.prefix, from, new PgTools(cfg.pgBinDir), workDir);
    const summary = v.manifest.objects.map((o) => `${o.name} ${formatBytes(o.size)}`).join(", ");
    rt.out(`backup ${v.timestamp}: verified (${summary}; PostgreSQL ${v.manifest.postgres.serverVersion})`);
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true });
  }
}
