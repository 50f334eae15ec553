import { CreateBucketCommand, ListMultipartUploadsCommand, S3Client } from "@aws-sdk/client-s3";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { startMoto } from "../../support/servers";
import { createDatabase, jobEnv, REGION, runJob, seed } from "./helpers";

const ROOT = path.resolve(__dirname, "../../..");

/**
 * SIGTERM is how ECS stops a task. The job must abort its multipart upload, stop its children,
 * remove its staging files, check in an error and say in one line what it was doing. Against
 * moto, which lists open multipart uploads (s3rver cannot).
 */
describe("backup job stopped by SIGTERM", () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  let client: S3Client;
  let sourceUrl: string;
  let sentry: http.Server;
  const statuses: string[] = [];
  const bucket = "bk-signals";
  const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pg-sig-"));
  const pidFile = path.join(fakeBin, "child.pid");

  beforeAll(async () => {
    moto = await startMoto();
    client = new S3Client({ endpoint: moto.endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    sourceUrl = await createDatabase(`sig_src_${process.pid}`);
    await seed(sourceUrl);
    sentry = http.createServer((req, res) => {
      // Check-ins carry their status in the JSON body (jobs/backup/sentry.ts).
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        statuses.push(JSON.parse(body).status);
        res.writeHead(202).end("{}");
      });
    });
    await new Promise<void>((resolve) => sentry.listen(0, "127.0.0.1", resolve));
    // pg_dump that streams 20 MiB (so a multipart upload is open) and then hangs; pg_restore that hangs.
    const real = process.env.TEST_PG_BIN!;
    fs.symlinkSync(path.join(real, "psql"), path.join(fakeBin, "psql"));
    const hang = (tool: string, body: string) =>
      fs.writeFileSync(
        path.join(fakeBin, tool),
        `#!/bin/sh\nif [ "$1" = "--version" ] || [ "$1" = "--list" ]; then exec ${real}/${tool} "$@"; fi\necho $$ > ${pidFile}\n${body}\nexec sleep 600\n`,
        { mode: 0o755 },
      );
    hang("pg_dump", "head -c 20971520 /dev/urandom");
    hang("pg_restore", ":");
  }, 30_000);
  afterAll(async () => {
    await new Promise((resolve) => sentry.close(resolve));
    await moto?.stop();
  });

  function cliUntilSignal(args: string[], env: NodeJS.ProcessEnv, ready: () => boolean): Promise<{ status: number | null; stderr: string }> {
    const child = spawn(process.execPath, ["--import", "tsx", "jobs/backup/cli.ts", ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        setTimeout(() => child.kill("SIGTERM"), 300);
      }
    }, 100);
    return new Promise((resolve) => child.on("close", (status) => (clearInterval(poll), resolve({ status, stderr }))));
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  function env(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...jobEnv(bucket, "sig", { DATABASE_URL: sourceUrl, PG_BIN_DIR: fakeBin, ...extra }),
      S3_ENDPOINT: moto.endpoint,
      AWS_ACCESS_KEY_ID: "k",
      AWS_SECRET_ACCESS_KEY: "s",
      TMPDIR: tmp,
      SENTRY_DSN: `http://pub@127.0.0.1:${(sentry.address() as AddressInfo).port}/1`,
      SENTRY_MONITOR_SLUG: "bk",
    };
  }

  it("during the dump: aborts the multipart upload, kills pg_dump, checks in error, exits 143 with one line", async () => {
    fs.rmSync(pidFile, { force: true });
    statuses.splice(0);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sig-tmp-"));
    // Ready once the first 16 MiB part is on its way: the multipart upload exists.
    const r = await cliUntilSignal(["backup"], env(tmp), () => fs.existsSync(pidFile) && Date.now() - fs.statSync(pidFile).mtimeMs > 1500);
    expect(r.stderr.split("\n")).toEqual([
      expect.stringMatching(/^backup-job backup: stopped by SIGTERM while dumping database sig_src_\d+ to postgres\.dump$/),
      "",
    ]);
    expect(r.status).toBe(143);
    expect(alive(Number(fs.readFileSync(pidFile, "utf8")))).toBe(false);
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(statuses).toEqual(["in_progress", "error"]);
    expect(ours(tmp)).toEqual([]);
  });

  it("during restore: kills pg_restore (its single transaction rolls back) and removes the downloaded backup", async () => {
    const made = await runJob(["backup"], { ...env(os.tmpdir()), PG_BIN_DIR: process.env.TEST_PG_BIN!, SENTRY_DSN: "", SENTRY_MONITOR_SLUG: "" });
    expect(made.err).toEqual([]);
    fs.rmSync(pidFile, { force: true });
    statuses.splice(0);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sig-tmp-"));
    const target = await createDatabase(`sig_dst_${process.pid}`);
    const r = await cliUntilSignal(["restore", "--from", "latest", "--database-url", target], env(tmp), () => fs.existsSync(pidFile));
    expect(r.stderr.split("\n")).toEqual([
      expect.stringMatching(/^backup-job restore: stopped by SIGTERM while restoring into database sig_dst_\d+ \(pg_restore\)$/),
      "",
    ]);
    expect(r.status).toBe(143);
    expect(alive(Number(fs.readFileSync(pidFile, "utf8")))).toBe(false);
    expect(statuses).toEqual(["in_progress", "error"]);
    expect(ours(tmp)).toEqual([]);
  });
});

/** What the job left in TMPDIR; tsx keeps its own compile cache there (not the job's). */
const ours = (tmp: string) => fs.readdirSync(tmp).filter((n) => !n.startsWith("tsx-"));
