import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { Run } from "../bounds";
import { readJobEnv } from "../env";
import { parseFrom } from "../layout";
import { PgTools } from "../pg";
import { readPlausibility } from "../plausibility";
import { formatBytes, Runtime } from "../runtime";
import { openStore } from "../s3";
import { verifyBackup } from "../verification";

/** `verify [--from <id>|latest] [--max-age 26h] [--max-shrink-percent N]`: download, check hashes, archives and plausibility. */
export async function verifyCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime, run: Run): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { from: { type: "string" }, "max-age": { type: "string" }, "max-shrink-percent": { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  const from = parseFrom(values.from, false);
  const rules = readPlausibility(env, values);
  const cfg = readJobEnv(env, "verify");
  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "backup-verify-"));
  try {
    const pg = new PgTools(cfg.pgBinDir, run.signal);
    const v = await run.step(`verifying backup ${from}`, () =>
      verifyBackup(openStore(cfg, run.bounds, run.signal), cfg.prefix, from, pg, workDir, rules, rt.now(), true),
    );
    const summary = v.manifest.objects.map((o) => `${o.name} ${formatBytes(o.size)}`).join(", ");
    const rows = v.manifest.postgres.tables?.reduce((n, t) => n + t.rows, 0);
    rt.out(`backup ${v.id}: verified (${summary}; PostgreSQL ${v.manifest.postgres.serverVersion}${rows === undefined ? "" : `; ${rows} rows`})`);
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true });
  }
}
