import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startPostgres, startS3 } from "./servers";

/**
 * Starts the real servers once per jest run and hands them to tests through the environment:
 * TEST_PG_URL (superuser URL), TEST_PG_BIN (pg_dump, pg_restore, psql),
 * TEST_S3_ENDPOINT with access key / secret "S3RVER" (s3rver's fixed credentials).
 */
export default async function globalSetup(): Promise<void> {
  // The engine tests' CLI, found or built once here rather than by two workers at once.
  const { ensureCli } = await import("../../tools/engine/install");
  await ensureCli();
  const pg = await startPostgres();
  const s3 = await startS3();
  process.env.TEST_PG_URL = pg.url;
  process.env.TEST_PG_BIN = pg.binDir;
  process.env.TEST_S3_ENDPOINT = s3.endpoint;
  process.env.TEST_S3_ACCESS_KEY = "S3RVER";
  process.env.TEST_S3_SECRET_KEY = "S3RVER";
  (globalThis as any).__testServers = { pg, s3 };
  process.env.TEST_PLAN_CACHE = await renderCommittedStacks();
}

/** The committed stacks' plans, rendered once for every test file (see test/support/plan.ts). */
async function renderCommittedStacks(): Promise<string> {
  const { renderStack } = await import("../../tools/plan/render");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plans-"));
  for (const stack of ["staging", "prod", "preview"]) {
    fs.writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(await renderStack({ stack })));
  }
  return dir;
}
