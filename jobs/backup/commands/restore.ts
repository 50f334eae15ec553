import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { Run } from "../bounds";
import { isEmptyDir, restoreDir } from "../chroma";
import { readJobEnv } from "../env";
import { JobError } from "../errors";
import { CHROMA_NAME, DUMP_NAME, parseFrom } from "../layout";
import { PgTools } from "../pg";
import { readPlausibility } from "../plausibility";
import { Runtime } from "../runtime";
import { openStore } from "../s3";
import { countRows } from "../tables";
import { verifyBackup } from "../verification";

/**
 * `restore --from <id>|latest --database-url URL [--chroma-dir DIR] [--force] [--max-shrink-percent N] [--max-age 26h]`.
 * The cheap refusals (non-empty targets) come first, then a full verify, then the restore
 * from the very files that were verified, then the row counts against the manifest's.
 */
/** Resolves with the id of the backup it restored. */
export async function restoreCommand(argv: string[], env: NodeJS.ProcessEnv, rt: Runtime, run: Run): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: "string" },
      "database-url": { type: "string" },
      "chroma-dir": { type: "string" },
      force: { type: "boolean", default: false },
      "max-shrink-percent": { type: "string" },
      "max-age": { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const from = parseFrom(values.from, true);
  const targetUrl = values["database-url"];
  if (!targetUrl) throw new JobError("--database-url is required (the database to restore into; create it first)");
  const chromaDir = values["chroma-dir"];
  const force = values.force === true;
  const rules = readPlausibility(env, values);
  const cfg = readJobEnv(env, "restore");
  const pg = new PgTools(cfg.pgBinDir, run.signal);

  const target = await run.step("connecting to the target database", () => pg.server(targetUrl));
  const existing = await pg.userObjects(targetUrl);
  if (existing && !force) {
    throw new JobError(`target database ${target.database} is not empty (${existing}); use --force to restore over it`);
  }
  if (chromaDir && !force && !(await isEmptyDir(chromaDir))) {
    throw new JobError(`chroma dir ${chromaDir} is not empty; use --force to replace its contents`);
  }

  const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "backup-restore-"));
  try {
    const v = await run.step(`verifying backup ${from}`, () =>
      verifyBackup(openStore(cfg, run.bounds, run.signal), cfg.prefix, from, pg, workDir, rules, rt.now()),
    );
    const chromaArchive = v.files.get(CHROMA_NAME);
    if (chromaDir && !chromaArchive) throw new JobError(`backup ${v.id} has no ${CHROMA_NAME}; nothing to restore into ${chromaDir}`);
    rt.out(`backup ${v.id}: verified; restoring into database ${target.database}`);
    await run.step(`restoring into database ${target.database} (pg_restore)`, () => pg.restore(v.files.get(DUMP_NAME)!, targetUrl, force));
    const tables = v.manifest.postgres.tables;
    if (tables) {
      const counts = await run.step("counting restored rows", () =>
        countRows(
          targetUrl,
          tables.map((t) => t.name),
        ),
      );
      const off = tables.filter((t) => counts.get(t.name) !== t.rows).map((t) => `${t.name} has ${counts.get(t.name)} rows, manifest ${t.rows}`);
      if (off.length) throw new JobError(`restored database ${target.database} differs from backup ${v.id}: ${off.join(", ")}`);
      rt.out(`backup ${v.id}: ${tables.length} tables, ${tables.reduce((n, t) => n + t.rows, 0)} rows, as in the manifest`);
    }
    if (chromaDir && chromaArchive) {
      const n = await run.step(`restoring Chroma into ${chromaDir}`, () => restoreDir(chromaArchive, chromaDir, force));
      rt.out(`backup ${v.id}: chroma restored into ${chromaDir} (${n} entries)`);
    }
    rt.out(`backup ${v.id}: restored into database ${target.database}`);
    return v.id;
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true });
  }
}
