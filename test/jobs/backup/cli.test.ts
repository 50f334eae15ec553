import { PutObjectCommand } from "@aws-sdk/client-s3";
import { spawn } from "child_process";
import * as path from "path";
import { backupAt, createBucket, createDatabase, getObject, jobEnv, runJob, s3, seed } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

/**
 * The real process: exit codes, and exactly one line on stderr when it fails. Asynchronous on
 * purpose: when jest runs in band, s3rver lives in this very process and spawnSync would starve it.
 */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, ["jobs/backup/cli.ts", ...args], {
    cwd: ROOT,
    // Only PATH from outside, so nothing in the developer's environment leaks into the contract.
    // The SDK's Node 20 deprecation notice is a multi-line warning on stderr; the image runs Node 22.
    env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("backup job as a child process", () => {
  const bucket = "bk-cli";

  beforeAll(async () => {
    await createBucket(bucket);
    const db = await createDatabase(`cli_src_${process.pid}`);
    await seed(db);
    const r = await runJob(["backup"], jobEnv(bucket, "cli", { DATABASE_URL: db }), new Date("2025-04-01T02:00:00Z"));
    expect(r.code).toBe(0);
  });

  it("lists backups and exits 0", async () => {
    const r = await cli(["list"], jobEnv(bucket, "cli"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^20250401T020000Z-[0-9a-f]{8}\s+complete\s.*manifest\.json, postgres\.dump\n$/);
  });

  it("exits non-zero with one line naming the missing variable, no stack trace", async () => {
    const { BACKUP_PREFIX: _p, ...env } = jobEnv(bucket, "cli");
    const r = await cli(["verify", "--from", "latest"], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("backup-job verify: missing environment variable: BACKUP_PREFIX\n");
  });

  it("a corrupted object: exit 1, one line naming it; DEBUG adds the stack", async () => {
    const key = `cli/${await backupAt(bucket, "cli", "20250401T020000Z")}/postgres.dump`;
    const { bytes } = await getObject(bucket, key);
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes.subarray(1) }));
    const r = await cli(["verify"], jobEnv(bucket, "cli"));
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")).toEqual([expect.stringContaining(`${key}: size ${bytes.length - 1} != manifest ${bytes.length}`), ""]);
    const debug = await cli(["verify"], jobEnv(bucket, "cli", { DEBUG: "1" }));
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at .*verification\.ts/);
  });

  it("rejects an unknown command or option with a usage error", async () => {
    expect((await cli(["frobnicate"], {})).status).toBe(2);
    const r = await cli(["restore", "--form", "latest"], jobEnv(bucket, "cli"));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual(['backup-job restore: unknown option "--form"; did you mean "--from"?']);
  });
});
