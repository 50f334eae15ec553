import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { isEmptyDir, restoreDir } from "../chroma";
import { readJobEnv } from "../env";
import { JobError } from "../errors";
import { CHROMA_NAME, DUMP_NAME, parseFrom } from "../layout";
import { PgTools } from "../pg";
import { Runtime } from "../runtime";
import { openStore } from "../s3";
import { verifyBackup } from "../verification";

/**
 * `restore --from <timestamp>|latest --database-url URL [--chroma-dir DIR] [--force]`.
 * The cheap refusals (non-empty targets) come first, then a full verify, then the restore
 * from the very files that were verified.
 */
export async function restoreCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      "database-url": { type: "string" },
      "chroma-dir": { type: "string" },
      force: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const from = parseFrom(values.from, true);
  const targetUrl = values["database-url"];
  if (!targetUrl) throw new JobError("--database-url is required (the database to restore into; create it first)");
  const chromaDir = values["chroma-dir"];
  const force = values.force === true;
  const cfg = readJobEnv(env);
  const pg = new PgTools(cfg.pgBinDir);

  const target = await pg.server(targetUrl);
  const existing = await pg.userObjectCount(targetUrl);
  if (existing > 0 && !force) {
    throw new JobError(`target database ${target.database} is not empty (${existing} objects); use --force to restore over it`);
  }
  if (chromaDir && !force && !(await isEmptyDir(chromaDir))) {
    throw new JobError(`chroma dir ${chromaDir} is not empty; use --force to replace its contents`);
  }

  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "backup-restore-"));
  try {
    const v = await verifyBackup(openStore(cfg), cfg.prefix, from, pg, workDir);
    const chromaArchive = v.files.get(CHROMA_NAME);
    if (chromaDir && !chromaArchive) throw new JobError(`backup ${v.timestamp} has no ${CHROMA_NAME}; nothing to restore into ${chromaDir}`);
    rt.out(`backup ${v.timestamp}: verified; restoring into database ${target.database}`);
    await pg.restore(v.files.get(DUMP_NAME)!, targetUrl, force);
    if (chromaDir && chromaArchive) {
      const n = await restoreDir(chromaArchive, chromaDir, force);
      rt.out(`backup ${v.timestamp}: chroma restored into ${chromaDir} (${n} entries)`);
    }
    rt.out(`backup ${v.timestamp}: restored into database ${target.database}`);
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true });
  }
}
